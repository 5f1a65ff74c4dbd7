from django.urls import path

from crm.exports import views

app_name = "exports"
urlpatterns = [
    path("<slug:source>/start/", views.export_start, name="start"),
    path("<int:export_id>/", views.export_detail, name="detail"),
    path("<int:export_id>/download/", views.export_download, name="download"),
]
