from django.urls import path

from customers.models import Party
from customers.partners.api.hub import hub_urls
from customers.partners.api.party import views
from customers.partners.models import HubSubscription

ROOT = "/tmf-api/partyManagement/v5/"

INDIVIDUAL, ORGANIZATION = Party.Kind.INDIVIDUAL, Party.Kind.ORGANIZATION

resources = [
    path(
        "individual",
        views.IndividualCollection.as_view(kind=INDIVIDUAL),
        name="party-individual-list",
    ),
    path(
        "individual/<str:party_id>",
        views.IndividualItem.as_view(kind=INDIVIDUAL),
        name="party-individual-detail",
    ),
    path(
        "organization",
        views.OrganizationCollection.as_view(kind=ORGANIZATION),
        name="party-organization-list",
    ),
    path(
        "organization/<str:party_id>",
        views.OrganizationItem.as_view(kind=ORGANIZATION),
        name="party-organization-detail",
    ),
    *hub_urls(HubSubscription.Api.PARTY, prefix="party-"),
]
