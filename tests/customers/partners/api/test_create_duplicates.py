"""A new customer who certainly exists is refused with 409 as the partner guide says: naming the
existing customer to a caller who may see it; a household sharing a verified e-mail is not."""

import pytest

from customers.models import Customer
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory

from .conftest import individual, tmf_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

EMAIL = "zoe.brennan@example.org"


def _zoe(partner):
    return CustomerFactory(
        partner=partner,
        given_name="Zoe",
        family_name="Brennan",
        contact_media=[ContactMediumInput(kind="email", value=EMAIL, is_verified=True)],
    )


def _with_email(given: str, family: str) -> dict:
    return individual(
        given, family, contactMedium=[{"@type": "EmailContactMedium", "emailAddress": EMAIL}]
    )


def test_a_verified_email_of_ones_own_customer_is_a_409_naming_it(alpha, alpha_api, tmf):
    zoe = _zoe(alpha[0])

    error = tmf_error(alpha_api.post("/customer", _with_email("Zoë", "Brennan")), 409, tmf)

    assert error["code"] == "duplicate"
    assert zoe.number in error["message"]
    assert Customer.objects.count() == 1


def test_a_verified_email_of_another_partners_customer_is_a_409_naming_nobody(beta, alpha_api, tmf):
    zoe = _zoe(beta[0])

    error = tmf_error(alpha_api.post("/customer", _with_email("Zoe", "Brennan")), 409, tmf)

    assert zoe.number not in error["message"]
    assert Customer.objects.count() == 1


def test_a_verified_email_sent_for_somebody_else_is_created_as_the_guide_says(alpha, alpha_api):
    """The members of a household may share an e-mail address that one of them verified."""
    _zoe(alpha[0])

    response = alpha_api.post("/customer", _with_email("Liam", "Murphy"))

    assert response.status_code == 201, response.content
