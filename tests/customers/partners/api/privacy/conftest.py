"""API clients for TMF644, a consent body, and the served OpenAPI document to check against."""

import jsonschema
import pytest
from django.test import Client

from customers.models import Consent
from customers.services.preferences import consent_record
from tests.customers.partners.api.conftest import PRIVACY_API, ApiClient


@pytest.fixture
def alpha_api(alpha):
    return ApiClient(alpha[1], root=PRIVACY_API)


@pytest.fixture
def beta_api(beta):
    return ApiClient(beta[1], root=PRIVACY_API)


def agreement(number: str, *, status="approved", purpose="marketing", channel="email", **extra):
    """A create body: customer ``number``'s answer for ``purpose`` by ``channel``."""
    return {
        "@type": "PartyPrivacyAgreement",
        "name": "Marketing by e-mail",
        "agreementType": "privacyConsent",
        "status": status,
        "engagedParty": [{"@type": "PartyRoleRef", "id": number, "@referredType": "Customer"}],
        "partyPrivacyProfileCharacteristic": [
            {
                "@type": "PartyPrivacyProfileCharacteristic",
                "privacyUsagePurpose": purpose,
                "characterisitc": {
                    "@type": "StringCharacteristic",
                    "name": "contactChannel",
                    "valueType": "string",
                    "value": channel,
                },
            }
        ],
        **extra,
    }


def answered(customer, *, channel="email", purpose="marketing", granted=True) -> Consent:
    """An answer recorded by the staff UI's service (no user: a job)."""
    return consent_record(
        customer=customer,
        channel=channel,
        purpose=purpose,
        granted=granted,
        source=Consent.Source.STORE,
        actor="job:test",
    )


class ServedDocument:
    """Checks an answer against the schema the served OpenAPI document gives its operation
    and status."""

    def __init__(self, document: dict):
        self.paths = document["paths"]

    def check(self, response, path: str, method: str) -> None:
        operation = self.paths[f"{PRIVACY_API}{path}"][method]
        answer = operation["responses"][str(response.status_code)]
        if "content" not in answer:
            return
        schema = answer["content"]["application/json"]["schema"]
        jsonschema.Draft4Validator(schema).validate(response.json())


@pytest.fixture(scope="session")
def served(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return ServedDocument(Client().get(f"{PRIVACY_API}/openapi.json").json())
