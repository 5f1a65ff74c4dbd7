"""API clients for TMF683, and the body of a touch point with a customer."""

import pytest

from customers.models import Interaction
from customers.services.interactions import interaction_record
from tests.customers.partners.api.conftest import INTERACTION_API, ApiClient


@pytest.fixture
def alpha_api(alpha):
    return ApiClient(alpha[1], root=INTERACTION_API)


@pytest.fixture
def beta_api(beta):
    return ApiClient(beta[1], root=INTERACTION_API)


def touch_point(number: str, **extra) -> dict:
    """A create body: an inbound phone inquiry with customer ``number``."""
    return {
        "@type": "PartyInteraction",
        "direction": "inbound",
        "reason": "inquiry",
        "description": "Asked about roaming charges",
        "relatedChannel": [
            {
                "@type": "RelatedChannel",
                "role": "interactionChannel",
                "channel": {"@type": "ChannelRef", "id": "phone", "@referredType": "Channel"},
            }
        ],
        "relatedParty": [
            {
                "@type": "RelatedPartyOrPartyRole",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": number,
                    "@referredType": "Customer",
                },
            }
        ],
        **extra,
    }


def recorded(customer, *, summary="Called about the bill", **options) -> Interaction:
    """An interaction recorded by the staff UI's service (no user: a job)."""
    values = {
        "channel": "phone",
        "direction": "inbound",
        "kind": "billing",
        "outcome": Interaction.Outcome.OPEN,
        **options,
    }
    return interaction_record(customer=customer, summary=summary, actor="job:test", **values)
