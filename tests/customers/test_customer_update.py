import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, Customer, Party
from customers.services import customer_update
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _updates(customer):
    return ActionLog.objects.filter(customer=customer, action="customer.updated")


def test_update_logs_the_old_and_new_value_of_each_change(agent, manager):
    customer = CustomerFactory(given_name="Ada", family_name="Byron", actor=agent)

    customer_update(
        customer=customer,
        actor=manager,
        family_name="Lovelace",
        birth_date=datetime.date(1815, 12, 10),
        segment=Customer.Segment.SMALL_BUSINESS,
        account_manager=manager,
    )

    [entry] = _updates(customer)
    assert entry.actor == manager
    assert entry.data == {
        "family_name": ["Byron", "Lovelace"],
        "birth_date": [None, "1815-12-10"],
        "segment": ["residential", "small_business"],
        "account_manager": [None, str(manager)],
    }


def test_update_rederives_the_display_name_and_search_keys(agent):
    customer = CustomerFactory(given_name="Ada", family_name="Byron", actor=agent)

    updated = customer_update(customer=customer, actor=agent, family_name="  Lövelace ")

    party = Party.objects.get(pk=updated.party_id)
    assert party.family_name == "Lövelace"
    assert party.display_name == "Ada Lövelace"
    assert party.name_key == "ada lovelace"
    assert party.family_name_key == "lovelace"


def test_update_can_turn_a_person_into_an_organisation_with_a_legal_name(agent):
    customer = CustomerFactory(given_name="Ada", family_name="Byron", actor=agent)

    customer_update(
        customer=customer, actor=agent, kind=Party.Kind.ORGANIZATION, legal_name="Byron Ltd"
    )

    party = Party.objects.get(pk=customer.party_id)
    assert party.kind == Party.Kind.ORGANIZATION
    assert party.display_name == "Byron Ltd"


def test_update_without_a_real_change_logs_nothing(agent):
    customer = CustomerFactory(family_name="Byron", actor=agent)

    customer_update(customer=customer, actor=agent, family_name="Byron")

    assert not _updates(customer).exists()


@pytest.mark.parametrize("field", ["status", "number", "valid_to", "display_name", "notes"])
def test_update_refuses_fields_it_may_not_change_and_names_them(agent, field):
    customer = CustomerFactory(family_name="Byron", actor=agent)

    with pytest.raises(ValidationError) as refused:
        customer_update(customer=customer, actor=agent, family_name="Lovelace", **{field: "x"})

    assert field in refused.value.messages[0]
    assert Party.objects.get(pk=customer.party_id).family_name == "Byron"
    assert not _updates(customer).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        pytest.param({"family_name": "  ", "given_name": ""}, "family_name", id="no-name-left"),
        pytest.param(
            {"birth_date": timezone.localdate() + datetime.timedelta(days=1)},
            "birth_date",
            id="future-birth-date",
        ),
        pytest.param({"kind": Party.Kind.ORGANIZATION}, "legal_name", id="organisation-unnamed"),
        pytest.param({"payment_method": "bitcoin"}, "payment_method", id="unknown-payment"),
        pytest.param({"segment": "galactic"}, "segment", id="unknown-segment"),
    ],
)
def test_update_refuses_bad_values_naming_the_field_and_changes_nothing(agent, changes, field):
    customer = CustomerFactory(family_name="Byron", actor=agent)
    party_before = Party.objects.values().get(pk=customer.party_id)
    customer_before = Customer.objects.values().get(pk=customer.pk)

    with pytest.raises(ValidationError) as refused:
        customer_update(customer=customer, actor=agent, **{"given_name": "Augusta", **changes})

    assert field in refused.value.message_dict
    assert Party.objects.values().get(pk=customer.party_id) == party_before
    assert Customer.objects.values().get(pk=customer.pk) == customer_before
    assert not _updates(customer).exists()


def test_update_counts_as_activity_and_clears_the_stale_flag(agent):
    customer = CustomerFactory(actor=agent)
    long_ago = timezone.now() - datetime.timedelta(days=90)
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=long_ago, stale_since=long_ago)

    customer_update(customer=customer, actor=agent, lead_source="referral")

    customer.refresh_from_db()
    assert customer.stale_since is None
    assert customer.last_activity_at > long_ago
