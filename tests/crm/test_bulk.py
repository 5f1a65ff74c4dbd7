"""Bulk writes store what save() would, on PostgreSQL by COPY and on SQLite by bulk_create."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.bulk import bulk_insert, bulk_upsert
from customers.models import ActionLog, ContactMedium, LatestScores, Party
from risk.services import LATEST_FIELDS
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_bulk_insert_with_ids_gives_each_instance_its_primary_key():
    parties = [
        Party(kind="individual", given_name=f"Ada {n}", family_name="Byron") for n in range(3)
    ]

    bulk_insert(parties, with_ids=True)

    assert all(p.pk for p in parties)
    assert len({p.pk for p in parties}) == 3
    stored = Party.objects.in_bulk([p.pk for p in parties])
    assert [stored[p.pk].given_name for p in parties] == ["Ada 0", "Ada 1", "Ada 2"]
    assert not parties[0]._state.adding


def test_rows_built_after_an_insert_with_ids_point_at_the_new_rows():
    party = Party(kind="individual", given_name="Grace", family_name="Hopper")
    medium = ContactMedium(party=party, kind="email", value="grace@example.org")

    bulk_insert([party], with_ids=True)
    bulk_insert([medium])

    assert ContactMedium.objects.get(value="grace@example.org").party_id == party.pk


def test_bulk_insert_fills_timestamps_dates_and_json_as_save_would():
    party = Party(
        kind="individual", given_name="Alan", family_name="Turing", birth_date=date(1912, 6, 23)
    )
    bulk_insert([party], with_ids=True)
    bulk_insert(
        [
            ActionLog(
                action="customer.imported",
                actor_label="import:1",
                created_at=timezone.now(),
                data={"row": 2, "ref": "x"},
            )
        ]
    )

    stored = Party.objects.get(pk=party.pk)
    assert stored.birth_date == date(1912, 6, 23)
    assert stored.created_at is not None and stored.updated_at is not None
    assert ActionLog.objects.get(action="customer.imported").data == {"row": 2, "ref": "x"}


def test_an_instance_pointing_at_an_unsaved_one_is_refused():
    medium = ContactMedium(
        party=Party(kind="individual", family_name="Lovelace"), kind="email", value="a@b.org"
    )

    with pytest.raises(ValueError, match="unsaved related object"):
        bulk_insert([medium])


def _latest(customer, churn_risk, segment):
    now = timezone.now()
    return (customer.pk, churn_risk, 600, "B", 0.1, 0.2, Decimal("10.00"), segment, 0, now)


@pytest.mark.parametrize("size", [3, 600], ids=["inline", "staged"])
def test_bulk_upsert_inserts_new_rows_and_updates_the_others(size):
    fields = ["customer", *LATEST_FIELDS]
    customers = CustomerFactory.create_batch(size)
    bulk_upsert(
        LatestScores,
        fields,
        [_latest(c, 0.1, "low") for c in customers[:2]],
        unique_field="customer",
    )

    bulk_upsert(
        LatestScores, fields, [_latest(c, 0.9, "top") for c in customers], unique_field="customer"
    )

    assert LatestScores.objects.count() == size
    assert set(LatestScores.objects.values_list("churn_risk", "value_segment")) == {(0.9, "top")}
