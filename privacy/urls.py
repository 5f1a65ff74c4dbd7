from django.urls import path

from .views import access, erasure, retention, subject_access

app_name = "privacy"
urlpatterns = [
    path("erasures/", erasure.erasure_list, name="erasures"),
    path("retention/", retention.retention_page, name="retention"),
    path("retention/runs/", retention.retention_run_start, name="retention_run"),
    path("retention/<slug:kind>/", retention.retention_rule_save, name="retention_rule"),
    path("erasures/<int:request_id>/", erasure.erasure_detail, name="erasure"),
    path("customers/<str:number>/erasure/", erasure.erasure_request, name="erasure_request"),
    path("customers/<str:number>/legal-hold/", erasure.legal_hold, name="legal_hold"),
    path("customers/<str:number>/access-log/", access.access_log, name="access_log"),
    path(
        "customers/<str:number>/subject-access/",
        subject_access.subject_access_start,
        name="subject_access_start",
    ),
    path(
        "subject-access/<int:export_id>/",
        subject_access.subject_access_detail,
        name="subject_access",
    ),
    path(
        "subject-access/<int:export_id>/status/",
        subject_access.subject_access_status,
        name="subject_access_status",
    ),
    path(
        "subject-access/<int:export_id>/<str:kind>/",
        subject_access.subject_access_download,
        name="subject_access_download",
    ),
]
