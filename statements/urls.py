from django.urls import path

from . import views

app_name = "statements"
urlpatterns = [
    path("runs/", views.run_list, name="runs"),
    path("runs/start/", views.run_start, name="run_start"),
    path("customer/<str:number>/", views.customer_statements, name="customer"),
    path("<int:statement_id>/<str:kind>/", views.statement_download, name="download"),
]
