from django.urls import path

from customers import views
from customers.views import bulk, interactions, products

app_name = "customers"
urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.lead_create, name="lead_create"),
    path("bulk/", bulk.customer_bulk, name="bulk"),
    path("bulk/<int:run_id>/", bulk.bulk_run, name="bulk_run"),
    path("interactions/open/", interactions.open_interactions, name="open_interactions"),
    path("<str:number>/", views.customer_detail, name="detail"),
    path("<str:number>/edit/", views.profile_edit, name="profile_edit"),
    path("<str:number>/contacts/new/", views.contact_add, name="contact_add"),
    path("<str:number>/contacts/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path(
        "<str:number>/contacts/<int:contact_id>/remove/",
        views.contact_remove,
        name="contact_remove",
    ),
    path("<str:number>/preferences/", views.preferences_edit, name="preferences_edit"),
    path("<str:number>/consents/", views.consent_record, name="consent_record"),
    path("<str:number>/interactions/new/", views.interaction_create, name="interaction_create"),
    path(
        "<str:number>/interactions/<int:interaction_id>/resolve/",
        interactions.interaction_resolve,
        name="interaction_resolve",
    ),
    path(
        "<str:number>/interactions/<int:interaction_id>/assign/",
        interactions.interaction_assign,
        name="interaction_assign",
    ),
    path("<str:number>/products/new/", products.product_add, name="product_add"),
    path(
        "<str:number>/products/<int:subscription_id>/",
        products.product_change,
        name="product_change",
    ),
    path(
        "<str:number>/products/<int:subscription_id>/end/",
        products.product_end,
        name="product_end",
    ),
    path(
        "<str:number>/<slug:action>/",
        views.lifecycle_action,
        name="lifecycle_action",
    ),
]
