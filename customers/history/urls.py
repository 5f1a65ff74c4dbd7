from django.urls import path

from . import views

app_name = "history"

urlpatterns = [
    path("<str:number>/history/", views.customer_history_page, name="customer"),
]
