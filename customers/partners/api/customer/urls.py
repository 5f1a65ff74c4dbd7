from django.urls import path

from customers.partners.api.customer import views
from customers.partners.api.hub import hub_urls
from customers.partners.models import HubSubscription

ROOT = "/tmf-api/customerManagement/v5/"

resources = [
    path("customer", views.CustomerCollection.as_view(), name="customer-list"),
    path("customer/<str:customer_id>", views.CustomerItem.as_view(), name="customer-detail"),
    *hub_urls(HubSubscription.Api.CUSTOMER),
]
