from django.urls import path

from crm.jobs import views

app_name = "jobs"
urlpatterns = [
    path("<slug:kind>/<int:run_id>/progress/", views.job_progress, name="progress"),
]
