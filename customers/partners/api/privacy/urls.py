from django.urls import path

from customers.partners.api.hub import hub_urls
from customers.partners.api.privacy import views
from customers.partners.models import HubSubscription

ROOT = "/tmf-api/privacyManagement/v5/"

resources = [
    path(
        "partyPrivacyAgreement",
        views.PartyPrivacyAgreementCollection.as_view(),
        name="privacy-agreement-list",
    ),
    path(
        "partyPrivacyAgreement/<str:agreement_id>",
        views.PartyPrivacyAgreementItem.as_view(),
        name="privacy-agreement-detail",
    ),
    *hub_urls(HubSubscription.Api.PRIVACY, prefix="privacy-"),
]
