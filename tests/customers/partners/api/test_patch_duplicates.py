"""A partner's PATCH goes through the duplicate rules of every identity change: a certain
duplicate answers 409, naming the existing customer only to a caller who may see it."""

import pytest

from customers.models import ContactMedium
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _ada(**extra):
    return CustomerFactory(
        given_name="Ada",
        family_name="Lovelace",
        national_id="AB123456C",
        contact_media=[ContactMediumInput(kind="email", value="ada@example.com", is_verified=True)],
        **extra,
    )


def _patch_national_id(api, number):
    return api.patch(
        f"/customer/{number}",
        {"engagedParty": {"@type": "Individual", "nationalId": "AB123456C"}},
    )


def test_a_patch_giving_another_customers_national_id_is_refused_naming_it(alpha, alpha_api):
    ada = _ada(partner=alpha[0])
    other = CustomerFactory(partner=alpha[0], given_name="Ada", family_name="Lovelace")

    response = _patch_national_id(alpha_api, other.number)

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert ada.number in response.content.decode()
    other.party.refresh_from_db()
    assert other.party.national_id == ""


def test_a_patch_clashing_with_another_partners_customer_is_refused_without_naming_it(
    alpha, beta, beta_api
):
    ada = _ada(partner=alpha[0])
    other = CustomerFactory(partner=beta[0], given_name="Ada", family_name="Lovelace")

    response = _patch_national_id(beta_api, other.number)

    assert response.status_code == 409
    assert ada.number not in response.content.decode()


def test_a_patch_adding_another_customers_verified_email_is_refused(alpha, alpha_api):
    _ada(partner=alpha[0])
    other = CustomerFactory(partner=alpha[0], given_name="Ada", family_name="Lovelace")

    response = alpha_api.patch(
        f"/customer/{other.number}",
        {"contactMedium": [{"@type": "EmailContactMedium", "emailAddress": "ada@example.com"}]},
    )

    assert response.status_code == 409
    assert not ContactMedium.objects.filter(party=other.party).exists()
