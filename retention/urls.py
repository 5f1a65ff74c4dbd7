from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_start_page, name="start"),
    path("<int:campaign_id>/", views.campaign_detail, name="detail"),
    path("<int:campaign_id>/close/", views.campaign_close_view, name="close"),
    path("members/<int:member_id>/outcome/", views.member_outcome, name="outcome"),
]
