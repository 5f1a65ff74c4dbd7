from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

app_name = "api"
urlpatterns = [
    path("customer", views.CustomerCollection.as_view(), name="customer-list"),
    path("customer/<str:customer_id>", views.CustomerItem.as_view(), name="customer-detail"),
    path("hub", views.HubCollection.as_view(), name="hub-list"),
    path("hub/<str:hub_id>", views.HubItem.as_view(), name="hub-detail"),
    path("openapi.json", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

# Anything else under the API answers with a TMF error, in debug mode too.
urlpatterns.append(re_path(r"^.*$", views.not_found))
