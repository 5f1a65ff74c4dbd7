"""Products held: added only from the catalogue and only while the customer may hold them,
changed and ended with the old and new values in the audit."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, Customer, Subscription
from customers.services import (
    customer_reestablish,
    customer_terminate,
    subscription_add,
    subscription_change,
    subscription_end,
)
from customers.services.billing import contract_end
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 3, 1)


def _held(customer, actor, **fields):
    fields.setdefault("product", ProductFactory(list_price=Decimal("30.00")))
    fields.setdefault("start_date", START)
    return subscription_add(customer=customer, actor=actor, **fields)


def test_a_product_no_longer_sold_is_refused(active_customer, manager):
    withdrawn = ProductFactory(code="OLD-1", is_active=False)

    with pytest.raises(ValidationError) as refused:
        _held(active_customer, manager, product=withdrawn)

    assert "product" in refused.value.message_dict
    assert not Subscription.objects.exists()


def test_a_re_established_customer_holds_products_again(manager):
    customer = CustomerFactory(status=Customer.Status.TERMINATED)
    customer_reestablish(customer=customer, actor=manager, reason="win_back")

    subscription = _held(customer, manager)

    assert subscription.status == Subscription.Status.ACTIVE


def test_a_suspended_customers_new_product_is_suspended_with_them(manager):
    customer = CustomerFactory(status=Customer.Status.SUSPENDED)

    assert _held(customer, manager).status == Subscription.Status.SUSPENDED


def test_a_product_starting_later_is_pending_activation(active_customer, manager):
    later = timezone.localdate() + datetime.timedelta(days=7)

    assert _held(active_customer, manager, start_date=later).status == "pending"


def test_a_product_cannot_start_more_than_a_year_ahead(active_customer, manager):
    with pytest.raises(ValidationError, match="at most 366 days from today"):
        _held(active_customer, manager, start_date=datetime.date(9999, 6, 1))

    assert not Subscription.objects.filter(customer=active_customer).exists()


def test_changing_a_product_audits_the_old_and_new_values(active_customer, manager):
    subscription = _held(active_customer, manager, service_id="+447911000001")

    subscription_change(
        subscription=subscription,
        actor=manager,
        monthly_charge=Decimal("24.50"),
        contract_term_months=24,
        service_id="+447911000001",
    )

    subscription.refresh_from_db()
    assert (subscription.monthly_charge, subscription.contract_term_months) == (
        Decimal("24.50"),
        24,
    )
    entry = ActionLog.objects.filter(customer=active_customer).latest("id")
    assert (entry.action, entry.actor) == ("subscription.changed", manager)
    assert entry.data == {
        "id": subscription.pk,
        "product": subscription.product.code,
        "monthly_charge": {"from": "30.00", "to": "24.50"},
        "contract_term_months": {"from": "0", "to": "24"},
    }


def test_changing_nothing_logs_nothing(active_customer, manager):
    subscription = _held(active_customer, manager)

    subscription_change(subscription=subscription, actor=manager, monthly_charge=Decimal("30"))

    assert not ActionLog.objects.filter(action="subscription.changed").exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"monthly_charge": Decimal("-5")}, "monthly_charge"),
        ({"service_id": "x" * 41}, "service_id"),
    ],
)
def test_a_bad_change_is_refused_and_nothing_is_written(active_customer, manager, changes, field):
    subscription = _held(active_customer, manager)

    with pytest.raises(ValidationError) as refused:
        subscription_change(subscription=subscription, actor=manager, **changes)

    assert field in str(refused.value)
    assert Subscription.objects.get(pk=subscription.pk).monthly_charge == Decimal("30.00")
    assert not ActionLog.objects.filter(action="subscription.changed").exists()


def test_ending_a_product_terminates_it_on_the_day_given(active_customer, manager):
    subscription = _held(active_customer, manager, contract_term_months=24)
    end = datetime.date(2025, 9, 30)

    subscription_end(subscription=subscription, actor=manager, end_date=end)

    subscription.refresh_from_db()
    assert (subscription.status, subscription.end_date) == ("terminated", end)
    entry = ActionLog.objects.filter(customer=active_customer).latest("id")
    assert (entry.action, entry.actor) == ("subscription.ended", manager)
    assert entry.data == {
        "id": subscription.pk,
        "product": subscription.product.code,
        "end_date": "2025-09-30",
        "early": True,
    }


def test_a_product_cannot_end_before_it_started_or_in_the_future(active_customer, manager):
    subscription = _held(active_customer, manager)

    for end in (START - datetime.timedelta(days=1), timezone.localdate() + datetime.timedelta(1)):
        with pytest.raises(ValidationError) as refused:
            subscription_end(subscription=subscription, actor=manager, end_date=end)
        assert "end_date" in refused.value.message_dict
    assert Subscription.objects.get(pk=subscription.pk).status == "active"


def test_an_ended_product_is_neither_changed_nor_ended_again(active_customer, manager):
    subscription = _held(active_customer, manager)
    subscription_end(subscription=subscription, actor=manager, end_date=START)

    with pytest.raises(ValidationError, match="add it again"):
        subscription_change(subscription=subscription, actor=manager, contract_term_months=12)
    with pytest.raises(ValidationError, match="add it again"):
        subscription_end(subscription=subscription, actor=manager, end_date=START)
    assert ActionLog.objects.filter(action="subscription.ended").count() == 1


def test_a_terminated_customers_products_cannot_change(active_customer, manager):
    subscription = _held(active_customer, manager)
    customer_terminate(customer=active_customer, actor=manager, reason="voluntary_churn")

    with pytest.raises(ValidationError):
        subscription_change(subscription=subscription, actor=manager, monthly_charge=Decimal(1))


def test_a_merged_away_customers_products_are_changed_at_the_survivor(manager):
    merged = CustomerFactory(status=Customer.Status.MERGED)

    with pytest.raises(ValidationError, match="merged into"):
        _held(merged, manager)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (datetime.date(2025, 3, 1), 0, None),
        (datetime.date(2025, 3, 1), 24, datetime.date(2027, 3, 1)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2024, 11, 15), 3, datetime.date(2025, 2, 15)),
    ],
)
def test_the_minimum_term_ends_on_the_same_day_months_later(start, months, end):
    assert contract_end(Subscription(start_date=start, contract_term_months=months)) == end
