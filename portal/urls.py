from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("products/", views.products, name="products"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("payments/", views.payments, name="payments"),
    path("interactions/", views.interactions, name="interactions"),
    path("interactions/<int:interaction_id>/", views.interaction_detail, name="interaction"),
]
