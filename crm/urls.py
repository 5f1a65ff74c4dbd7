from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from crm import staff
from crm.signin import views as signin_views
from customers.partners import views as partner_views

urlpatterns = [
    path("", include("home.urls")),
    path("login/", staff.login, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("login/second-factor/", signin_views.second_factor_verify, name="second_factor_verify"),
    path(
        "login/second-factor/enrol/", signin_views.second_factor_enrol, name="second_factor_enrol"
    ),
    path("customers/", include("customers.identity.urls")),
    path("customers/", include("customers.history.urls")),
    path("customers/", include("customers.urls")),
    path("partners/", include("customers.partners.urls")),
    path("search/", include("customers.views.search")),
    path("partner-application/", partner_views.partner_apply, name="partner_apply"),
    path("risk/", include("risk.urls")),
    path("retention/", include("retention.urls")),
    path("jobs/", include("crm.jobs.urls")),
    path("exports/", include("crm.exports.urls")),
    path("views/", include("crm.savedviews.urls")),
    path("satisfaction/", include("satisfaction.urls")),
    path("work/", include("work.urls")),
    path("privacy/", include("privacy.urls")),
    path("messages/", include("messaging.urls")),
    path("statements/", include("statements.urls")),
    path("my/", include("portal.urls")),
    path("s/", include("satisfaction.public_urls")),
    path("admin/", admin.site.urls),
    path("tmf-api/", include("customers.partners.api.urls")),
    path("", include("crm.operations_urls")),
]

# Outside the API these are Django's own pages; inside it, TMF error bodies.
handler400 = "customers.partners.api.errors.bad_request"
handler403 = "customers.partners.api.errors.permission_denied"
handler404 = "customers.partners.api.errors.page_not_found"
handler500 = "customers.partners.api.errors.server_error"
