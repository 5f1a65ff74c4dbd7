"""Bulk writes store what save() would, on PostgreSQL by COPY and on SQLite by bulk_create;
rows given as text are stored as given."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from crm.bulk import bulk_copy_columns, bulk_insert, bulk_upsert, bulk_upsert_columns, copy_text
from customers.models import ActionLog, ContactMedium, LatestScores, Party
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LATEST_FIELDS = (
    *("churn_risk", "credit_score", "credit_rating", "fraud_risk", "influence"),
    *("lifetime_value", "value_segment", "value_at_risk", "scored_at"),
)


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


@pytest.mark.parametrize("staged_from", [500, 1], ids=["inline", "staged"])
def test_bulk_upsert_inserts_new_rows_and_updates_the_others(staged_from, monkeypatch):
    # A batch this size or larger goes through the staging table on PostgreSQL.
    monkeypatch.setattr("crm.bulk._STAGED_FROM_ROWS", staged_from)
    size = 3
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


@pytest.mark.parametrize("staged_from", [500, 1], ids=["inline", "staged"])
def test_bulk_upsert_with_changed_only_leaves_a_row_alone_when_those_fields_are_the_same(
    staged_from, monkeypatch
):
    monkeypatch.setattr("crm.bulk._STAGED_FROM_ROWS", staged_from)
    fields = ["customer", *LATEST_FIELDS]
    compared = [name for name in LATEST_FIELDS if name != "scored_at"]
    same, changed = CustomerFactory.create_batch(2)
    bulk_upsert(
        LatestScores,
        fields,
        [_latest(c, 0.1, "low") for c in (same, changed)],
        unique_field="customer",
    )
    first = dict(LatestScores.objects.values_list("customer_id", "scored_at"))

    bulk_upsert(
        LatestScores,
        fields,
        [_latest(same, 0.1, "low"), _latest(changed, 0.5, "low")],
        unique_field="customer",
        changed_only=compared,
    )

    now = dict(LatestScores.objects.values_list("customer_id", "scored_at"))
    assert now[same.pk] == first[same.pk]  # not rewritten: its time stamp stays
    assert now[changed.pk] > first[changed.pk]
    assert LatestScores.objects.get(customer=changed).churn_risk == 0.5


def _latest_columns(customers, churn_risks, scored_at) -> dict[str, np.ndarray]:
    at = str(connection.ops.adapt_datetimefield_value(scored_at))
    rows = [
        (str(c.pk), risk, "600", "B", "0.1", "0.2", "10.00", "standard", "0.00", at)
        for c, risk in zip(customers, churn_risks, strict=True)
    ]
    names = ("customer_id", *LATEST_FIELDS)
    return {
        name: _texts(*column) for name, column in zip(names, zip(*rows, strict=True), strict=True)
    }


@pytest.mark.parametrize("staged_from", [500, 1], ids=["inline", "staged"])
def test_bulk_upsert_columns_updates_only_the_rows_whose_compared_columns_changed(
    staged_from, monkeypatch
):
    monkeypatch.setattr("crm.bulk._STAGED_FROM_ROWS", staged_from)
    same, changed, new = CustomerFactory.create_batch(3)
    compared = [name for name in LATEST_FIELDS if name != "scored_at"]
    first_at = timezone.now() - timedelta(hours=1)
    bulk_upsert_columns(
        LatestScores,
        _latest_columns((same, changed), ("0.1", "0.1"), first_at),
        unique_column="customer_id",
    )

    bulk_upsert_columns(
        LatestScores,
        _latest_columns((same, changed, new), ("0.1", "0.5", "0.25"), timezone.now()),
        unique_column="customer_id",
        changed_only=compared,
    )

    stored = {row.customer_id: row for row in LatestScores.objects.all()}
    assert stored[same.pk].scored_at == first_at  # not rewritten: its time stamp stays
    assert stored[changed.pk].scored_at > first_at and stored[changed.pk].churn_risk == 0.5
    assert stored[new.pk].churn_risk == 0.25
    assert stored[new.pk].lifetime_value == Decimal("10.00")


def _texts(*values) -> np.ndarray:
    column = np.empty(len(values), dtype=object)
    column[:] = values
    return column


def test_copy_text_writes_null_as_backslash_n_and_escapes_backslashes():
    text = copy_text([_texts("a\\b", None), _texts("1", "2")])

    assert text == "a\\\\b\t1\n\\N\t2\n"


@pytest.mark.parametrize("value", ["tab\there", "line\nbreak"])
def test_copy_text_refuses_a_value_with_a_tab_or_a_line_break(value):
    with pytest.raises(ValueError, match="tab or a line break"):
        copy_text([_texts(value)])


def test_bulk_copy_columns_stores_a_historical_created_at_as_given():
    party = CustomerFactory().party
    two = ("", "")

    bulk_copy_columns(
        ContactMedium,
        {
            "party_id": _texts(str(party.pk), str(party.pk)),
            "kind": _texts("email", "email"),
            "value": _texts("back\\slash@example.org", "plain@example.org"),
            "label": _texts(*two),
            "street": _texts(*two),
            "city": _texts(*two),
            "postcode": _texts(*two),
            "country": _texts(*two),
            "is_preferred": _texts("0", "0"),
            "is_verified": _texts("1", "0"),
            "valid_from": _texts("2020-01-02", None),
            "valid_to": _texts(None, None),
            "created_at": _texts("2020-01-02 03:04:05", "2020-01-02 03:04:05"),
        },
    )

    stored = list(
        ContactMedium.objects.filter(party=party, value__endswith="@example.org").order_by("id")
    )
    assert [m.value for m in stored] == ["back\\slash@example.org", "plain@example.org"]
    assert [m.created_at for m in stored] == [datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)] * 2
    assert [m.valid_from for m in stored] == [date(2020, 1, 2), None]
    assert [m.is_verified for m in stored] == [True, False]


def test_copy_text_of_no_rows_is_empty():
    assert copy_text([_texts(), _texts()]) == ""
