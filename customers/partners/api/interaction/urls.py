from django.urls import path

from customers.partners.api.hub import hub_urls
from customers.partners.api.interaction import views
from customers.partners.models import HubSubscription

ROOT = "/tmf-api/partyInteraction/v5/"

resources = [
    path(
        "partyInteraction",
        views.PartyInteractionCollection.as_view(),
        name="interaction-list",
    ),
    path(
        "partyInteraction/<str:interaction_id>",
        views.PartyInteractionItem.as_view(),
        name="interaction-detail",
    ),
    *hub_urls(HubSubscription.Api.INTERACTION, prefix="interaction-"),
]
