"""The fraud score's identity signals: probed for a few customers, or counted once for the whole
base when a run is prepared, with the same rules and the same counts."""

import pytest
from django.utils import timezone

from customers.models import Customer
from customers.services import ContactMediumInput, relationship_add
from risk import runs
from risk.features import features_as_of
from risk.fraud_signals import fraud_signals, shared_keys_count
from risk.models import SharedKeyCount
from tests.factories import CustomerFactory, SubscriptionFactory


def _at_flat(name, email, number="12"):
    customer = CustomerFactory(
        status=Customer.Status.ACTIVE,
        family_name=name,
        contact_media=[
            ContactMediumInput(kind="email", value=email),
            ContactMediumInput(
                kind="postal",
                street=f"{number} Harbour Street",
                postcode="AB1 2CD",
                city="Leeds",
                country="GB",
            ),
        ],
    )
    SubscriptionFactory(customer=customer, start_date=timezone.localdate())
    return customer


@pytest.fixture
def neighbourhood(db):
    """Three strangers sharing an e-mail and a flat, a spouse of the first living there too,
    and a neighbour in the same street, another house."""
    ring = [_at_flat(f"Ring {n}", "shared@ring.example") for n in range(3)]
    spouse = _at_flat("Spouse", "spouse@home.example")
    relationship_add(from_customer=spouse, to_customer=ring[0], kind="household", actor=None)
    neighbour = _at_flat("Neighbour", "own@home.example", number="14")
    return {"ring": ring, "spouse": spouse, "neighbour": neighbour}


EXPECTED = {
    ("ring", 0): (2, 2),  # two others share the e-mail; the spouse is family
    ("ring", 1): (2, 3),  # the spouse is a stranger to this one
    ("ring", 2): (2, 3),
    ("spouse", None): (0, 2),
    ("neighbour", None): (0, 0),  # the same street, another house
}


def _signals_by_customer(neighbourhood, run=None) -> dict:
    customers = {
        key: neighbourhood[key[0]][key[1]] if key[1] is not None else neighbourhood[key[0]]
        for key in EXPECTED
    }
    ids = sorted(c.pk for c in customers.values())
    table = features_as_of(timezone.localdate(), ids=ids)
    signals = fraud_signals(ids, timezone.localdate(), table, run=run)
    pairs = zip(signals["shared_contact"], signals["shared_address"], strict=True)
    counts = dict(zip(ids, pairs, strict=True))
    return {key: counts[customer.pk] for key, customer in customers.items()}


def test_probing_counts_unrelated_customers_sharing_a_contact_or_the_whole_address(neighbourhood):
    assert _signals_by_customer(neighbourhood) == EXPECTED


def test_a_run_counts_the_whole_base_once_with_the_same_rules(neighbourhood):
    run = runs.scoring_run_start()

    shared = shared_keys_count(run)

    assert run.shared_keys_counted_at is not None
    assert shared == 4  # the neighbour shares nothing: no row
    assert _signals_by_customer(neighbourhood, run=run) == EXPECTED


def test_a_second_count_for_the_same_run_finds_it_done_and_writes_nothing(neighbourhood):
    run = runs.scoring_run_start()
    shared_keys_count(run)
    first = set(SharedKeyCount.objects.values_list("pk", flat=True))

    assert shared_keys_count(run) == 4

    assert set(SharedKeyCount.objects.values_list("pk", flat=True)) == first


def test_a_new_run_replaces_the_counts_of_the_one_before(neighbourhood):
    earlier = runs.scoring_run_start()
    shared_keys_count(earlier)
    runs.scoring_run_fail(run=earlier, error="stopped for the test")
    later = runs.scoring_run_start()

    shared_keys_count(later)

    assert set(SharedKeyCount.objects.values_list("run_id", flat=True)) == {later.pk}


def test_a_run_prepared_for_its_chunks_has_the_counts(neighbourhood):
    run = runs.scoring_run_start()

    runs.scoring_run_prepare(run)

    run.refresh_from_db()
    assert run.shared_keys_counted_at is not None
    assert SharedKeyCount.objects.filter(run=run).count() == 4
