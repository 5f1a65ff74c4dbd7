from django.urls import path

from crm.savedviews import views

app_name = "savedviews"
urlpatterns = [
    path("<slug:list_name>/", views.saved_view_save, name="save"),
    path("<slug:list_name>/<int:view_id>/delete/", views.saved_view_delete, name="delete"),
]
