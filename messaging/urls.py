from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("templates/", views.template_list, name="templates"),
    path("templates/<str:event>/<str:language>/", views.template_edit, name="template_edit"),
]
