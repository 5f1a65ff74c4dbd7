import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, ContactMedium, Customer
from customers.services import (
    ContactMediumInput,
    contact_medium_add,
    contact_medium_remove,
    contact_medium_update,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

Kind = ContactMedium.Kind


def _add(customer, actor, **fields):
    return contact_medium_add(customer=customer, medium=ContactMediumInput(**fields), actor=actor)


def _media(customer):
    return list(
        ContactMedium.objects.filter(party=customer.party)
        .order_by("id")
        .values_list("kind", "value", "is_preferred")
    )


@pytest.mark.parametrize(
    ("fields", "stored"),
    [
        ({"kind": Kind.EMAIL, "value": " Ada@Example.ORG "}, "ada@example.org"),
        ({"kind": Kind.PHONE, "value": "020 7946 0018"}, "+442079460018"),
        ({"kind": Kind.MOBILE, "value": "06 12 34 56 78", "country": "FR"}, "+33612345678"),
        ({"kind": Kind.WEB, "value": " https://ada.example.org "}, "https://ada.example.org"),
        ({"kind": Kind.SOCIAL, "value": " @ada "}, "@ada"),
        (
            {"kind": Kind.POSTAL, "street": "10 Downing St", "city": "London", "postcode": "sw1a"},
            "10 Downing St, SW1A London",
        ),
    ],
)
def test_add_stores_the_normalised_value(lead, agent, fields, stored):
    contact = _add(lead, agent, **fields)

    assert ContactMedium.objects.get(pk=contact.pk).value == stored


def test_add_logs_the_change_and_counts_as_activity(lead, agent):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    Customer.objects.filter(pk=lead.pk).update(last_activity_at=long_ago, stale_since=long_ago)

    _add(lead, agent, kind=Kind.EMAIL, value="ada@example.org")

    entry = ActionLog.objects.filter(customer=lead).latest("id")
    assert (entry.action, entry.actor) == ("contact_medium.added", agent)
    assert entry.data == {"kind": "email", "value": "ada@example.org"}
    lead.refresh_from_db()
    assert lead.stale_since is None
    assert lead.last_activity_at > long_ago


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"kind": Kind.EMAIL, "value": "ada-at-example"}, "value", "valid e-mail"),
        ({"kind": Kind.PHONE, "value": ""}, "value", "Enter a phone number"),
        ({"kind": Kind.MOBILE, "value": "12345"}, "value", "not a valid phone number"),
        ({"kind": Kind.WEB, "value": "javascript:alert(1)"}, "value", "valid web address"),
        ({"kind": Kind.SOCIAL, "value": "  "}, "value", "handle"),
        ({"kind": Kind.POSTAL, "city": "London"}, "street", "needs this"),
        ({"kind": Kind.POSTAL, "street": "1 High St"}, "city", "city or a postcode"),
        ({"kind": "pigeon", "value": "coop 7"}, "kind", "Unknown contact medium kind"),
        (
            {
                "kind": Kind.EMAIL,
                "value": "ada@example.org",
                "valid_from": datetime.date(2025, 2, 1),
                "valid_to": datetime.date(2025, 1, 1),
            },
            "valid_to",
            "must not be before",
        ),
    ],
)
def test_add_refuses_bad_input_naming_the_field_and_adds_nothing(lead, agent, fields, field, says):
    log_before = ActionLog.objects.count()

    with pytest.raises(ValidationError) as refused:
        _add(lead, agent, **fields)

    assert says in refused.value.message_dict[field][0]
    assert _media(lead) == []
    assert ActionLog.objects.count() == log_before


def test_the_same_value_cannot_be_recorded_twice_however_it_is_typed(lead, agent):
    _add(lead, agent, kind=Kind.EMAIL, value="ada@example.org")

    with pytest.raises(ValidationError) as refused:
        _add(lead, agent, kind=Kind.EMAIL, value="ADA@Example.org ")

    assert "already recorded" in refused.value.message_dict["value"][0]
    assert _media(lead) == [("email", "ada@example.org", False)]


def test_the_same_value_may_belong_to_two_customers(lead, active_customer, agent, other_agent):
    _add(lead, agent, kind=Kind.PHONE, value="020 7946 0018")
    _add(active_customer, other_agent, kind=Kind.PHONE, value="+44 20 7946 0018")

    assert _media(lead) == _media(active_customer) == [("phone", "+442079460018", False)]


def test_a_new_preferred_medium_takes_over_from_the_old_one(lead, agent):
    _add(lead, agent, kind=Kind.EMAIL, value="old@example.org", is_preferred=True)
    _add(lead, agent, kind=Kind.MOBILE, value="07911 123456", is_preferred=True)

    _add(lead, agent, kind=Kind.EMAIL, value="new@example.org", is_preferred=True)

    assert _media(lead) == [
        ("email", "old@example.org", False),
        ("mobile", "+447911123456", True),
        ("email", "new@example.org", True),
    ]


def test_a_refused_preferred_medium_leaves_the_old_one_preferred(lead, agent):
    _add(lead, agent, kind=Kind.EMAIL, value="ada@example.org", is_preferred=True)
    _add(lead, agent, kind=Kind.EMAIL, value="ada@work.example")

    with pytest.raises(ValidationError):
        _add(lead, agent, kind=Kind.EMAIL, value="ADA@work.example", is_preferred=True)

    assert _media(lead) == [
        ("email", "ada@example.org", True),
        ("email", "ada@work.example", False),
    ]


def test_update_normalises_the_new_value_and_logs_before_and_after(lead, agent, other_agent):
    contact = _add(lead, agent, kind=Kind.EMAIL, value="ada@example.org")

    contact_medium_update(
        contact=contact,
        medium=ContactMediumInput(kind=Kind.EMAIL, value="Ada@Lovelace.ORG", is_preferred=True),
        actor=other_agent,
    )

    assert _media(lead) == [("email", "ada@lovelace.org", True)]
    entry = ActionLog.objects.filter(customer=lead).latest("id")
    assert (entry.action, entry.actor) == ("contact_medium.changed", other_agent)
    assert entry.data == {
        "before": {"kind": "email", "value": "ada@example.org", "is_preferred": False},
        "after": {"kind": "email", "value": "ada@lovelace.org", "is_preferred": True},
    }


def test_update_to_a_value_already_recorded_is_refused(lead, agent):
    _add(lead, agent, kind=Kind.EMAIL, value="ada@example.org")
    second = _add(lead, agent, kind=Kind.EMAIL, value="ada@work.example")

    with pytest.raises(ValidationError, match="already recorded"):
        contact_medium_update(
            contact=second,
            medium=ContactMediumInput(kind=Kind.EMAIL, value="ada@example.org"),
            actor=agent,
        )

    assert _media(lead) == [
        ("email", "ada@example.org", False),
        ("email", "ada@work.example", False),
    ]


def test_update_refuses_an_invalid_value_and_keeps_the_old_one(lead, agent):
    contact = _add(lead, agent, kind=Kind.MOBILE, value="07911 123456")

    with pytest.raises(ValidationError) as refused:
        contact_medium_update(
            contact=contact, medium=ContactMediumInput(kind=Kind.MOBILE, value="0"), actor=agent
        )

    assert "value" in refused.value.message_dict
    assert _media(lead) == [("mobile", "+447911123456", False)]


def test_updating_a_postal_address_to_an_e_mail_clears_its_address_parts(lead, agent):
    contact = _add(lead, agent, kind=Kind.POSTAL, street="1 High St", city="Bath", country="gb")

    contact = contact_medium_update(
        contact=contact,
        medium=ContactMediumInput(kind=Kind.EMAIL, value="ada@example.org"),
        actor=agent,
    )

    contact.refresh_from_db()
    assert (contact.street, contact.city, contact.country) == ("", "", "")


def test_remove_deletes_the_medium_and_logs_what_it_was(lead, agent):
    contact = _add(lead, agent, kind=Kind.EMAIL, value="ada@example.org")

    contact_medium_remove(contact=contact, actor=agent)

    assert _media(lead) == []
    entry = ActionLog.objects.filter(customer=lead).latest("id")
    assert entry.action == "contact_medium.removed"
    assert entry.data == {"kind": "email", "value": "ada@example.org"}


def test_removing_one_customers_medium_leaves_the_others_alone(lead, agent, other_agent):
    other = CustomerFactory(actor=other_agent)
    mine = _add(lead, agent, kind=Kind.EMAIL, value="shared@example.org")
    _add(other, other_agent, kind=Kind.EMAIL, value="shared@example.org")

    contact_medium_remove(contact=mine, actor=agent)

    assert _media(other) == [("email", "shared@example.org", False)]
    assert not ActionLog.objects.filter(customer=other, action="contact_medium.removed").exists()
