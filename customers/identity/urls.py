from django.urls import path

from customers.identity import views

app_name = "identity"
urlpatterns = [
    path("duplicates/", views.duplicate_list, name="duplicates"),
    path("duplicates/scans/", views.duplicate_scans, name="duplicate_scans"),
    path("duplicates/<int:candidate_id>/", views.duplicate_review, name="duplicate_review"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:job_id>/errors.csv", views.import_errors_download, name="import_errors"),
]
