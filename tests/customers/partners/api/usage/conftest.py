"""API clients for TMF635, and the body of a month of a customer's usage."""

import pytest

from tests.customers.partners.api.conftest import ApiClient
from tests.factories import ProductFactory

USAGE_API = "/tmf-api/usageManagement/v5"


@pytest.fixture
def alpha_api(alpha):
    return ApiClient(alpha[1], root=USAGE_API)


@pytest.fixture
def beta_api(beta):
    return ApiClient(beta[1], root=USAGE_API)


@pytest.fixture
def product(db):
    return ProductFactory(code="MOB-API", name="Mobile API plan")


def month_of_usage(number: str, month: str = "2026-03-01", **extra) -> dict:
    """A create body: March 2026 of customer ``number`` on MOB-API."""
    return {
        "@type": "Usage",
        "usageType": "monthlySummary",
        "usageDate": f"{month}T00:00:00Z",
        "productOffering": {"@type": "ProductOfferingRef", "id": "MOB-API"},
        "relatedParty": [
            {
                "@type": "RelatedPartyRefOrPartyRoleRef",
                "role": "customer",
                "partyOrPartyRole": {
                    "@type": "PartyRoleRef",
                    "id": number,
                    "@referredType": "Customer",
                },
            }
        ],
        "usageCharacteristic": [
            {"@type": "FloatCharacteristic", "name": "voiceMinutesDay", "value": 120.5},
            {"@type": "IntegerCharacteristic", "name": "serviceCalls", "value": 2},
        ],
        **extra,
    }
