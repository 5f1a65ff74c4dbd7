"""Duplicate rules on every write that changes identity data: a profile edit, a contact medium
added or changed, a partner's PATCH. A change that makes a customer certainly another one is
refused with a link to the existing customer; a probable match goes to the review queue."""

import datetime

import pytest
from django.urls import reverse

from customers.identity.matching import Match
from customers.identity.models import DuplicateCandidate
from customers.identity.services.identity import DuplicateFound, duplicate_pair_record
from customers.models import ContactMedium
from customers.services import (
    ContactMediumInput,
    contact_medium_add,
    contact_medium_update,
    customer_update,
)
from customers.services.profile import customer_profile_change
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BIRTH = datetime.date(1984, 5, 17)


def _email(value, *, verified=False):
    return ContactMediumInput(kind="email", value=value, is_verified=verified)


@pytest.fixture
def ada():
    return CustomerFactory(
        given_name="Ada",
        family_name="Lovelace",
        birth_date=BIRTH,
        national_id="AB123456C",
        contact_media=[_email("ada@example.com", verified=True)],
    )


@pytest.fixture
def ada_again():
    """Ada entered a second time, with nothing yet that tells the two apart."""
    return CustomerFactory(given_name="Ada", family_name="Lovelace")


@pytest.fixture
def grace():
    return CustomerFactory(given_name="Grace", family_name="Hopper")


def _open_pairs():
    return {
        (c.customer_low_id, c.customer_high_id)
        for c in DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
    }


def _pair(a, b):
    return tuple(sorted((a.pk, b.pk)))


def test_giving_a_customer_another_customers_national_id_is_refused_naming_the_existing_one(
    ada, grace, manager
):
    with pytest.raises(DuplicateFound) as refused:
        customer_update(customer=grace, actor=manager, national_id="AB 123456 C")

    assert refused.value.exact
    assert [m.customer for m in refused.value.matches] == [ada]
    assert ada.number in refused.value.messages[0]
    grace.party.refresh_from_db()
    assert grace.party.national_id == ""
    assert not grace.party.identity_keys.filter(kind="nid").exists()


def test_adding_another_customers_verified_email_to_the_same_person_is_refused(
    ada, ada_again, manager
):
    with pytest.raises(DuplicateFound) as refused:
        contact_medium_add(customer=ada_again, medium=_email("ADA@example.com"), actor=manager)

    assert [m.customer for m in refused.value.matches] == [ada]
    assert not ContactMedium.objects.filter(party=ada_again.party).exists()


def test_changing_a_contact_to_another_customers_verified_email_is_refused(ada, ada_again, manager):
    contact = contact_medium_add(
        customer=ada_again, medium=_email("ada.l@example.org"), actor=manager
    )

    with pytest.raises(DuplicateFound):
        contact_medium_update(contact=contact, medium=_email("ada@example.com"), actor=manager)

    contact.refresh_from_db()
    assert contact.value == "ada.l@example.org"


def test_another_persons_verified_email_is_saved_but_queued_for_review(ada, grace, manager):
    """A household may share an address one of them verified: not refused, never silent."""
    contact_medium_add(customer=grace, medium=_email("ada@example.com"), actor=manager)

    assert grace.party.contact_media.filter(value="ada@example.com").exists()
    assert _pair(ada, grace) in _open_pairs()


def test_a_probable_match_made_by_an_edit_is_saved_and_queued_for_review(ada, manager):
    someone = CustomerFactory(given_name="Ada", family_name="Lovelace", national_id="ZZ999999Z")

    customer_update(customer=someone, actor=manager, birth_date=BIRTH)

    someone.party.refresh_from_db()
    assert someone.party.birth_date == BIRTH
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.customer_low_id, candidate.customer_high_id) == _pair(ada, someone)
    assert candidate.status == DuplicateCandidate.Status.OPEN


def test_an_edit_that_brings_nobody_new_into_reach_queues_nothing(ada, ada_again, manager):
    customer_update(customer=ada_again, actor=manager, segment="small_business")

    assert not DuplicateCandidate.objects.exists()


def test_two_customers_staff_decided_are_different_people_are_not_refused(ada, ada_again, manager):
    duplicate_pair_record(
        first=ada,
        second=ada_again,
        match=Match(0.9, ("same name",), "probable"),
        source="scan",
        status="not_duplicate",
        actor=manager,
    )

    contact_medium_add(customer=ada_again, medium=_email("ada@example.com"), actor=manager)

    assert ada_again.party.contact_media.filter(value="ada@example.com").exists()


def test_a_partner_patch_goes_through_the_same_rules(ada, ada_again):
    with pytest.raises(DuplicateFound):
        customer_profile_change(
            customer=ada_again,
            actor=None,
            contact_media=[(None, _email("ada@example.com"))],
        )
    assert not ContactMedium.objects.filter(party=ada_again.party).exists()


# --- The staff pages -----------------------------------------------------------------------


def test_the_profile_page_shows_the_refusal_with_a_link_to_the_existing_customer(
    client, manager, ada, grace
):
    client.force_login(manager)
    url = reverse("customers:profile_edit", args=[grace.number])
    form = client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["national_id"] = "AB123456C"

    response = client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert f"is already customer {ada.number}" in page
    assert f'href="{ada.get_absolute_url()}"' in page
    grace.party.refresh_from_db()
    assert grace.party.national_id == ""


def test_the_contact_page_shows_the_refusal_with_a_link_to_the_existing_customer(
    client, manager, ada, ada_again
):
    client.force_login(manager)
    url = reverse("customers:contact_add", args=[ada_again.number])

    response = client.post(url, {"kind": "email", "value": "ada@example.com"})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"is already customer {ada.number}" in page
    assert f'href="{ada.get_absolute_url()}"' in page
    assert not ContactMedium.objects.filter(party=ada_again.party).exists()
