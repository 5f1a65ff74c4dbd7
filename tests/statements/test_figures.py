"""What a statement says: the figures of the period, who is due, and the language."""

import datetime
from decimal import Decimal

from customers.models import Customer
from statements.figures import customers_due, statement_figures
from statements.periods import Period

from .conftest import invoice, payment

NOVEMBER = Period.parse("2026-11")
DECEMBER = Period.parse("2026-12")


def _figures_of(customer, period):
    due = list(customers_due(period, first_id=customer.pk, last_id=customer.pk))
    return statement_figures(due, period)


def test_figures_add_up_from_opening_to_closing_balance(seeded):
    [figures] = _figures_of(seeded, NOVEMBER)

    assert figures.period_start == datetime.date(2026, 11, 1)
    assert figures.period_end == datetime.date(2026, 11, 30)
    assert figures.opening_balance == Decimal("55.50")
    assert [line.number for line in figures.invoices] == ["INV-SEED-11"]
    assert figures.invoiced == Decimal("61.25")
    assert [line.reference for line in figures.payments] == ["PAY-SEED-10", "PAY-SEED-11"]
    assert figures.paid == Decimal("75.50")
    assert figures.closing_balance == Decimal("41.25")
    assert figures.currency == "EUR"
    assert figures.language == "de"


def test_an_invoice_after_the_period_waits_for_the_next_statement(seeded):
    [figures] = _figures_of(seeded, DECEMBER)

    assert figures.opening_balance == Decimal("41.25")
    assert [line.number for line in figures.invoices] == ["INV-SEED-12"]
    assert figures.closing_balance == Decimal("140.25")


def test_a_quarterly_customer_is_skipped_in_a_month_that_ends_no_quarter(customer_with):
    quarterly = customer_with(frequency="quarterly")

    assert _figures_of(quarterly, NOVEMBER) == []


def test_a_quarterly_statement_covers_the_whole_quarter(customer_with):
    quarterly = customer_with(frequency="quarterly")
    invoice(quarterly, "INV-Q-09", datetime.date(2026, 9, 5), "10.00")
    invoice(quarterly, "INV-Q-10", datetime.date(2026, 10, 5), "20.00")
    invoice(quarterly, "INV-Q-12", datetime.date(2026, 12, 5), "30.00")
    payment(quarterly, "PAY-Q-11", datetime.date(2026, 11, 5), "15.00")

    [figures] = _figures_of(quarterly, DECEMBER)

    assert figures.period_start == datetime.date(2026, 10, 1)
    assert figures.opening_balance == Decimal("10.00")
    assert [line.number for line in figures.invoices] == ["INV-Q-10", "INV-Q-12"]
    assert figures.paid == Decimal("15.00")
    assert figures.closing_balance == Decimal("45.00")


def test_a_monthly_customer_in_a_quarters_last_month_counts_the_quarters_start_as_opening(
    customer_with,
):
    monthly = customer_with()
    invoice(monthly, "INV-M-10", datetime.date(2026, 10, 5), "20.00")
    invoice(monthly, "INV-M-12", datetime.date(2026, 12, 5), "30.00")

    [figures] = _figures_of(monthly, DECEMBER)

    assert figures.opening_balance == Decimal("20.00")
    assert [line.number for line in figures.invoices] == ["INV-M-12"]


def test_leads_and_customers_terminated_earlier_get_no_statement(customer_with):
    lead = customer_with(status=Customer.Status.LEAD)
    terminated = customer_with(status=Customer.Status.TERMINATED)
    Customer.objects.filter(pk=terminated.pk).update(
        valid_to=datetime.datetime(2026, 10, 15, 12, tzinfo=datetime.UTC)
    )

    assert _figures_of(lead, NOVEMBER) == []
    assert _figures_of(terminated, NOVEMBER) == []


def test_a_customer_terminated_in_the_month_gets_a_final_statement_even_if_quarterly(
    customer_with,
):
    terminated = customer_with(status=Customer.Status.TERMINATED, frequency="quarterly")
    Customer.objects.filter(pk=terminated.pk).update(
        valid_to=datetime.datetime(2026, 11, 15, 12, tzinfo=datetime.UTC)
    )

    [figures] = _figures_of(terminated, NOVEMBER)

    assert figures.period_start == datetime.date(2026, 10, 1)


def test_a_customer_who_started_after_the_month_is_not_due(customer_with):
    newcomer = customer_with()
    Customer.objects.filter(pk=newcomer.pk).update(
        valid_from=datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC)
    )

    assert _figures_of(newcomer, NOVEMBER) == []
