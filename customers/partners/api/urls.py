from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from customers.partners.api import views

app_name = "api"
urlpatterns = [
    path("customer", views.CustomerCollection.as_view(), name="customer-list"),
    path("customer/<str:customer_id>", views.CustomerItem.as_view(), name="customer-detail"),
    path("hub", views.HubCollection.as_view(), name="hub-list"),
    path("hub/<str:hub_id>", views.HubItem.as_view(), name="hub-detail"),
    path(
        "hub/<str:hub_id>/rotateSecret", views.HubSecretRotation.as_view(), name="hub-secret-rotate"
    ),
    # The description of the API is public: a partner reads it before it has a token.
    path(
        "openapi.json",
        SpectacularJSONAPIView.as_view(authentication_classes=[], permission_classes=[AllowAny]),
        name="schema",
    ),
    # The split view serves its start-up script as a file, so the page runs under our CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", authentication_classes=[], permission_classes=[AllowAny]
        ),
        name="docs",
    ),
]

# Anything else under the API answers with a TMF error, in debug mode too.
urlpatterns.append(re_path(r"^.*$", views.not_found))
