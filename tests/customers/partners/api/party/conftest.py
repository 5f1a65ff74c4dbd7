"""Partners speaking TMF632, and the bodies they send."""

import pytest

from customers.partners.api.party.representation import ATTRIBUTES
from tests.customers.partners.api.conftest import PARTY_API, ApiClient


@pytest.fixture
def alpha_parties(alpha):
    return ApiClient(alpha[1], root=PARTY_API)


@pytest.fixture
def beta_parties(beta):
    return ApiClient(beta[1], root=PARTY_API)


def person(given="Jane", family="Doe", **extra) -> dict:
    """A minimal Individual_FVO."""
    return {"@type": "Individual", "givenName": given, "familyName": family, **extra}


def company(name="Acme Widgets Ltd", **extra) -> dict:
    """A minimal Organization_FVO."""
    return {"@type": "Organization", "name": name, **extra}


def email(address: str) -> dict:
    return {"@type": "EmailContactMedium", "emailAddress": address}


def phone(number: str, contact_type: str = "mobile") -> dict:
    return {"@type": "PhoneContactMedium", "phoneNumber": number, "contactType": contact_type}


def valid(tmf632, response, schema_name: str, status: int = 200):
    """The body of ``response`` after checking its status and its shape against the spec."""
    assert response.status_code == status, response.content
    body = response.json()
    for item in body if isinstance(body, list) else [body]:
        tmf632.validate(item, schema_name)
    return body


__all__ = ["ATTRIBUTES", "company", "email", "person", "phone", "valid"]
