"""Amounts are shown in the customer's billing currency with the staff locale's separators, and
the currency is taken in and given back wherever customers are created."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from customers.identity.services.imports import import_job_create, import_job_run
from customers.models import Customer, LatestScores
from customers.services import customer_create
from tests.factories import (
    CustomerFactory,
    InvoiceFactory,
    PartyInputFactory,
    ProductFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db


def _scores(customer, *, lifetime_value, value_at_risk="0.00", churn_risk=0.4):
    return LatestScores.objects.create(
        customer=customer,
        churn_risk=churn_risk,
        credit_score=600,
        credit_rating="C",
        fraud_risk=0.01,
        influence=0.0,
        lifetime_value=Decimal(lifetime_value),
        value_segment="high",
        value_at_risk=Decimal(value_at_risk),
        scored_at=timezone.now(),
    )


def test_create_keeps_the_billing_currency_in_capitals(agent):
    customer = customer_create(party=PartyInputFactory(), actor=agent, currency="gbp")

    customer.refresh_from_db()
    assert customer.currency == "GBP"


def test_create_without_a_currency_bills_in_the_products_default(agent, settings):
    settings.CRM_CURRENCY = "CHF"

    customer = customer_create(party=PartyInputFactory(), actor=agent)

    assert Customer.objects.get(pk=customer.pk).currency == "CHF"


@pytest.mark.parametrize("code", ["XYZ", "DEM", "EURO", "€"])
def test_create_refuses_a_code_that_is_no_currency_in_use(agent, code):
    with pytest.raises(ValidationError) as refused:
        customer_create(party=PartyInputFactory(), actor=agent, currency=code)

    assert "not the code of a currency in use" in refused.value.message_dict["currency"][0]
    assert not Customer.objects.exists()


def test_the_customer_page_shows_every_amount_in_the_customers_currency(client, agent):
    customer = CustomerFactory(actor=agent, status=Customer.Status.ACTIVE, currency="GBP")
    InvoiceFactory(customer=customer, amount=Decimal("1136686.65"))
    SubscriptionFactory(customer=customer, product=ProductFactory(list_price=Decimal("1234.50")))
    _scores(customer, lifetime_value="738580.20")
    client.force_login(agent)

    page = client.get(customer.get_absolute_url()).content.decode()

    assert "£1,136,686.65" in page  # the invoice, and what is still owed
    assert "£1,234.50" in page  # the product's monthly charge
    assert "£738,580.20" in page  # the lifetime value in the value and risk panel
    assert "1136686.65" not in page


def test_the_retention_list_shows_each_row_in_its_own_customers_currency(client, manager):
    pounds = CustomerFactory(status=Customer.Status.ACTIVE, currency="GBP")
    euros = CustomerFactory(status=Customer.Status.ACTIVE, currency="EUR")
    _scores(pounds, lifetime_value="20000.00", value_at_risk="8000.00")
    _scores(euros, lifetime_value="10000.00", value_at_risk="4000.00")
    client.force_login(manager)

    page = client.get(reverse("risk:retention")).content.decode()

    assert "£20,000.00" in page and "£8,000.00" in page
    assert "€10,000.00" in page and "€4,000.00" in page


def test_the_customer_list_names_the_lifetime_value_in_the_rows_currency(client, agent):
    customer = CustomerFactory(status=Customer.Status.ACTIVE, currency="USD")
    _scores(customer, lifetime_value="4321.00")
    client.force_login(agent)

    page = client.get(reverse("customers:list")).content.decode()

    assert 'title="Lifetime value US$4,321.00"' in page


def _import(text: str):
    job = import_job_create(
        kind="customers", file=ContentFile(text.encode(), name="people.csv"), actor=None
    )
    return import_job_run(job_id=job.pk)


def test_an_import_reads_the_optional_currency_column_and_refuses_an_unknown_code(db):
    job = _import("external_ref,family_name,currency\nR1,Pound,gbp\nR2,Default,\nR3,Wrong,ABC\n")

    assert dict(Customer.objects.values_list("external_ref", "currency")) == {
        "R1": "GBP",
        "R2": "EUR",
    }
    [error] = job.row_errors.all()
    assert (error.row_number, error.field) == (4, "currency")
    assert "'ABC' is not the code of a currency in use" in error.message
