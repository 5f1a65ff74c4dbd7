from django.urls import path

from risk import views

app_name = "risk"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("runs/", views.run_start, name="run_start"),
    path("models/<slug:kind>/train/", views.model_train, name="model_train"),
    path("models/<slug:kind>/roll-back/", views.model_roll_back, name="model_roll_back"),
    path("models/<int:model_id>/promote/", views.model_promote, name="model_promote"),
    path("retention/", views.retention, name="retention"),
    path("customers/<str:number>/rescore/", views.customer_rescore, name="customer_rescore"),
]
