"""Registering a party runs the duplicate rules: a certain duplicate of a customer is a 409
naming it only to a caller who may see it; a probable one is registered, and its pair is
queued for review when the party takes a customer role."""

import pytest

from customers.identity.models import DuplicateCandidate
from customers.models import Customer, Party
from customers.services import ContactMediumInput
from tests.customers.partners.api.conftest import tmf_error
from tests.factories import CustomerFactory

from .conftest import email, person, valid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

TWIN = {"identificationId": "AB123456C"}


def _twin(partner):
    return CustomerFactory(
        partner=partner, given_name="Ida", family_name="Twin", national_id="AB123456C"
    )


def test_a_certain_duplicate_of_ones_own_customer_is_a_409_naming_its_party(
    alpha, alpha_parties, tmf632
):
    own = _twin(alpha[0])

    error = tmf_error(
        alpha_parties.post("/individual", person("Ida", "Twin", individualIdentification=[TWIN])),
        409,
        tmf632,
    )

    assert error["code"] == "duplicate"
    assert str(own.party_id) in error["message"]
    assert Party.objects.count() == 1


def test_a_certain_duplicate_of_another_partners_customer_names_nobody(beta, alpha_parties, tmf632):
    theirs = _twin(beta[0])

    error = tmf_error(
        alpha_parties.post("/individual", person("Ida", "Twin", individualIdentification=[TWIN])),
        409,
        tmf632,
    )

    assert str(theirs.party_id) not in error["message"]
    assert theirs.number not in error["message"]
    assert Party.objects.count() == 1


def test_a_patch_that_makes_a_party_a_certain_duplicate_is_refused(alpha, alpha_parties, tmf632):
    _twin(alpha[0])
    created = alpha_parties.post("/individual", person("Ida", "Twin")).json()

    tmf_error(
        alpha_parties.patch(f"/individual/{created['id']}", {"individualIdentification": [TWIN]}),
        409,
        tmf632,
    )

    assert Party.objects.get(pk=created["id"]).national_id == ""


def _maria(partner):
    return CustomerFactory(
        partner=partner,
        given_name="Maria",
        family_name="Gonzalez",
        contact_media=[ContactMediumInput(kind="email", value="maria.g@example.org")],
    )


def test_a_probable_duplicate_is_registered_and_queued_once_it_becomes_a_customer(
    alpha, alpha_api, alpha_parties, tmf, tmf632
):
    existing = _maria(alpha[0])

    body = valid(
        tmf632,
        alpha_parties.post(
            "/individual",
            person("Maria", "Gonzales", contactMedium=[email("maria.g@example.org")]),
        ),
        "Individual",
        201,
    )
    assert not DuplicateCandidate.objects.exists()  # pairs are of customers: none yet

    created = alpha_api.post(
        "/customer",
        {
            "@type": "Customer",
            "name": "Maria Gonzales",
            "engagedParty": {"@type": "PartyRef", "id": body["id"]},
        },
    )

    assert created.status_code == 201, created.content
    tmf.validate(created.json(), "Customer")
    customer = Customer.objects.get(number=created.json()["id"])
    pair = DuplicateCandidate.objects.get()
    assert {pair.customer_low_id, pair.customer_high_id} == {existing.pk, customer.pk}
    assert (pair.status, pair.source) == ("open", "api")


def test_a_party_made_certainly_a_customer_since_cannot_take_the_role(alpha, alpha_api, tmf):
    """Registered while nobody matched it; a customer with the same national id came later."""
    party = Party.objects.create(
        kind="individual",
        given_name="Ida",
        family_name="Twin",
        national_id="AB123456C",
        display_name="Ida Twin",
        name_key="ida twin",
        partner=alpha[0],
    )
    existing = _twin(alpha[0])

    error = tmf_error(
        alpha_api.post(
            "/customer",
            {
                "@type": "Customer",
                "name": "Ida Twin",
                "engagedParty": {"@type": "PartyRef", "id": str(party.pk)},
            },
        ),
        409,
        tmf,
    )

    assert existing.number in error["message"]
    assert not Customer.objects.filter(party=party).exists()
