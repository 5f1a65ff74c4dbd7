"""Importing monthly usage from a CSV file: good rows, row errors, and a re-import that replaces."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers.identity.models import ImportJob
from customers.models import Customer, UsageSummary
from tests.customers.identity.test_imports import csv_bytes, errors_of, queue, run
from tests.factories import CustomerFactory, ProductFactory

COLUMNS = ["customer_ref", "product_code", "month", "voice_minutes_day", "service_calls", "data_mb"]


@pytest.fixture
def customer(db):
    return CustomerFactory(status=Customer.Status.ACTIVE)


@pytest.fixture
def product(db):
    return ProductFactory(code="MOB-IMPORT")


def usage_csv(*rows: dict) -> bytes:
    return csv_bytes(COLUMNS, *rows)


def row(customer, **values) -> dict:
    return {
        "customer_ref": customer.number,
        "product_code": "MOB-IMPORT",
        "month": "2026-03",
    } | values


def test_a_usage_file_records_one_summary_per_row(customer, product):
    job = run(
        usage_csv(
            row(customer, voice_minutes_day="120.5", service_calls="3"),
            row(customer, month="2026-04-01", data_mb="2048"),
        ),
        kind=ImportJob.Kind.USAGE,
    )
    assert (job.rows_created, job.rows_failed) == (2, 0)
    march = UsageSummary.objects.get(month=datetime.date(2026, 3, 1))
    assert (march.voice_minutes_day, march.service_calls) == (Decimal("120.50"), 3)
    assert UsageSummary.objects.get(month=datetime.date(2026, 4, 1)).data_mb == Decimal("2048.00")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "2026-03-15"}, "month"),
        ({"voice_minutes_day": "-1"}, "voice_minutes_day"),
        ({"service_calls": "two"}, "service_calls"),
        ({"product_code": "NOPE"}, "product_code"),
        ({"customer_ref": "C99999999"}, "customer_ref"),
    ],
)
def test_a_bad_usage_row_is_a_row_error_and_the_good_rows_are_imported(
    customer, product, values, field
):
    job = run(usage_csv(row(customer, **values), row(customer, month="2026-05")), kind="usage")
    assert job.rows_created == 1
    [(row_number, error_field, _message)] = errors_of(job)
    assert (row_number, error_field) == (2, field)


def test_importing_a_usage_file_again_replaces_rather_than_doubles(customer, product):
    run(usage_csv(row(customer, data_mb="10")), kind="usage")
    job = run(usage_csv(row(customer, data_mb="25")), kind="usage")
    assert (job.rows_created, job.rows_skipped) == (0, 1)
    assert UsageSummary.objects.get().data_mb == Decimal("25.00")


def test_a_usage_file_without_the_month_column_is_refused_at_upload(customer, product):
    with pytest.raises(ValidationError, match="month"):
        queue(csv_bytes(["customer_ref", "product_code"], {}), kind="usage")
