"""The operators' endpoints, outside every staff page's rules (crm/operations/)."""

from django.urls import path

from crm.operations import health, views

urlpatterns = [
    path("health/live/", views.liveness, name="health_live"),
    path("health/ready/", health.ReadinessView.as_view(), name="health_ready"),
    path("health/workers/", health.WorkersView.as_view(), name="health_workers"),
    path("metrics", views.metrics, name="metrics"),
]
