from django.urls import path

from customers.partners.api.usage import views

ROOT = "/tmf-api/usageManagement/v5/"

resources = [
    path("usage", views.UsageCollection.as_view(), name="usage-list"),
    path("usage/<str:usage_id>", views.UsageItem.as_view(), name="usage-detail"),
]
