from django.urls import path

from customers.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.partner_list, name="list"),
    path("new/", views.partner_create, name="create"),
    path("deliveries/", views.delivery_list, name="deliveries"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:delivery_id>/replay/", views.delivery_replay, name="delivery_replay"),
    path("<int:partner_id>/", views.partner_detail, name="detail"),
    path("<int:partner_id>/edit/", views.partner_edit, name="edit"),
    path("<int:partner_id>/tokens/new/", views.token_issue, name="token_issue"),
    path("<int:partner_id>/tokens/<int:token_id>/", views.token_secret, name="token_secret"),
    path("<int:partner_id>/tokens/<int:token_id>/rotate/", views.token_rotate, name="token_rotate"),
    path("<int:partner_id>/tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("<int:partner_id>/hubs/<int:hub_id>/remove/", views.hub_remove, name="hub_remove"),
    path("<int:partner_id>/hubs/<int:hub_id>/rotate/", views.hub_rotate, name="hub_rotate"),
    path("<int:partner_id>/hubs/<int:hub_id>/secret/", views.hub_secret, name="hub_secret"),
    path("<int:partner_id>/<slug:action>/", views.partner_action, name="action"),
]
