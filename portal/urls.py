from django.urls import path

from portal.views import account, pages, requests, sign_in

app_name = "portal"
urlpatterns = [
    path("", pages.overview, name="overview"),
    path("sign-in/", sign_in.sign_in, name="sign_in"),
    path("sign-in/code/", sign_in.sign_in_code, name="sign_in_code"),
    path("sign-out/", sign_in.sign_out, name="sign_out"),
    path("products/", pages.products, name="products"),
    path("invoices/", pages.invoices, name="invoices"),
    path("invoices/<int:invoice_id>/", pages.invoice_detail, name="invoice"),
    path("payments/", pages.payments, name="payments"),
    path("interactions/", pages.interactions, name="interactions"),
    path("interactions/new/", requests.inquiry_new, name="inquiry_new"),
    path("interactions/<int:interaction_id>/", pages.interaction_detail, name="interaction"),
    path("contact/", account.contact, name="contact"),
    path("contact/add/", account.contact_add, name="contact_add"),
    path("contact/<int:contact_id>/change/", account.contact_change, name="contact_change"),
    path("contact/code/", account.contact_code, name="contact_code"),
    path("preferences/", account.preferences, name="preferences"),
    path("consents/", account.consents, name="consents"),
    path("statements/", requests.statements, name="statements"),
    path(
        "statements/<int:statement_id>/<str:kind>/",
        requests.statement_download,
        name="statement_download",
    ),
    path("data/", requests.data_rights, name="data"),
    path("data/export/", requests.data_export, name="data_export"),
    path("data/<int:export_id>/<str:kind>/", requests.data_download, name="data_download"),
    path("data/forget/", requests.data_erasure, name="data_erasure"),
]
