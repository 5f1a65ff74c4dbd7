"""Monthly usage summaries: the rules every door shares, and a re-sent month replacing the first."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.models import Customer, UsageSummary
from customers.services.usage import (
    UsageInput,
    usage_record,
    usage_totals,
    usages_check,
    usages_record_bulk,
)
from tests.factories import CustomerFactory, ProductFactory

MARCH = datetime.date(2026, 3, 1)


@pytest.fixture
def customer(db):
    return CustomerFactory(status=Customer.Status.ACTIVE)


@pytest.fixture
def product(db):
    return ProductFactory(code="MOB-USAGE")


def test_a_month_that_is_not_a_first_day_fails_model_validation(customer, product):
    summary = UsageSummary(customer=customer, product=product, month=datetime.date(2026, 3, 5))
    with pytest.raises(ValidationError) as caught:
        summary.full_clean()
    assert "month" in caught.value.message_dict


def test_the_database_refuses_a_month_not_given_by_its_first_day(customer, product):
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageSummary.objects.create(
            customer=customer, product=product, month=datetime.date(2026, 3, 5)
        )


def test_the_database_refuses_negative_minutes(customer, product):
    with pytest.raises(IntegrityError), transaction.atomic():
        UsageSummary.objects.create(
            customer=customer, product=product, month=MARCH, voice_minutes_day=Decimal("-1")
        )


def test_one_summary_is_recorded_with_its_measures_and_zero_for_the_others(customer, product):
    summary = usage_record(
        customer=customer,
        product=product,
        month=MARCH,
        measures={"voice_minutes_day": "120.5", "voice_calls_day": 31, "service_calls": "2"},
    )
    summary.refresh_from_db()
    assert summary.voice_minutes_day == Decimal("120.50")
    assert summary.voice_calls_day == 31
    assert summary.service_calls == 2
    assert summary.data_mb == 0


def test_recording_the_same_month_again_replaces_the_summary_and_keeps_its_id(customer, product):
    first = usage_record(
        customer=customer, product=product, month=MARCH, measures={"data_mb": "100"}
    )
    again = usage_record(
        customer=customer, product=product, month=MARCH, measures={"data_mb": "250"}
    )
    assert again.pk == first.pk
    assert UsageSummary.objects.get().data_mb == Decimal("250.00")


@pytest.mark.parametrize(
    ("month", "measures", "field"),
    [
        (datetime.date(2026, 3, 2), {}, "month"),
        (datetime.date(2999, 1, 1), {}, "month"),
        (MARCH, {"voice_minutes_day": "-3"}, "voice_minutes_day"),
        (MARCH, {"sms_count": "1.5"}, "sms_count"),
        (MARCH, {"data_mb": "lots"}, "data_mb"),
        (MARCH, {"data_mb": "NaN"}, "data_mb"),
        (MARCH, {"service_calls": 2**40}, "service_calls"),
    ],
)
def test_single_and_bulk_paths_refuse_the_same_bad_summary(
    customer, product, month, measures, field
):
    with pytest.raises(ValidationError) as single:
        usage_record(customer=customer, product=product, month=month, measures=measures)
    assert field in single.value.message_dict
    usage = UsageInput(customer.pk, product.pk, month, measures)
    assert field in usages_check([usage])[0].message_dict
    with pytest.raises(ValidationError):
        usages_record_bulk([usage])
    assert not UsageSummary.objects.exists()


def test_the_bulk_path_refuses_an_unknown_customer_or_product(customer, product):
    refused = usages_check(
        [UsageInput(customer.pk + 1000, product.pk, MARCH), UsageInput(customer.pk, 0, MARCH)]
    )
    assert "customer" in refused[0].message_dict
    assert "product" in refused[1].message_dict


def test_a_bulk_batch_sent_again_replaces_rather_than_doubles(customer, product):
    other = ProductFactory(code="LINE-USAGE")
    batch = [
        UsageInput(customer.pk, product.pk, MARCH, {"data_mb": Decimal("10")}),
        UsageInput(customer.pk, other.pk, MARCH, {"voice_minutes_day": Decimal("5")}),
    ]
    first = usages_record_bulk(batch)
    again = usages_record_bulk(
        [UsageInput(customer.pk, product.pk, MARCH, {"data_mb": Decimal("30")}), batch[1]]
    )
    assert (first.created, first.replaced) == (2, 0)
    assert (again.created, again.replaced) == (0, 2)
    assert UsageSummary.objects.count() == 2
    assert UsageSummary.objects.get(product=product).data_mb == Decimal("30.00")


def test_a_summary_sent_again_under_its_external_ref_replaces_the_first(customer, product):
    usages_record_bulk([UsageInput(customer.pk, product.pk, MARCH, {}, external_ref="U-1")])
    april = datetime.date(2026, 4, 1)
    usages_record_bulk([UsageInput(customer.pk, product.pk, april, {}, external_ref="U-1")])
    assert list(UsageSummary.objects.values_list("month", flat=True)) == [april]


def test_the_customer_page_totals_add_the_products_of_each_month(customer, product):
    other = ProductFactory(code="LINE-TOTALS")
    usages_record_bulk(
        [
            UsageInput(customer.pk, product.pk, MARCH, {"voice_minutes_day": Decimal("10")}),
            UsageInput(customer.pk, other.pk, MARCH, {"voice_minutes_night": Decimal("5")}),
        ]
    )
    [march] = usage_totals(customer=customer)
    assert march["month"] == MARCH
    assert march["minutes"] == Decimal("15.00")
