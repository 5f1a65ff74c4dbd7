"""Staff in each role (the customer tests' fixtures) and customers with billing facts."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import CommunicationPreferences, Customer
from customers.services import ContactMediumInput, consent_record
from customers.services.billing import payment_record
from tests.customers.conftest import agent, analyst, manager  # noqa: F401  (fixtures)
from tests.factories import CustomerFactory, InvoiceFactory

_mail_numbers = itertools.count(1)
SINCE = timezone.make_aware(datetime.datetime(2025, 1, 1, 9, 0))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test writes its documents into a folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def customer_with(db):
    """``customer_with(frequency=..., language=..., ...)``: an active customer since January
    2025 with those statement preferences."""

    def make(
        *,
        status=Customer.Status.ACTIVE,
        frequency="monthly",
        statement_format="email",
        language="en",
        itemised=True,
        currency="EUR",
        **party,
    ) -> Customer:
        customer = CustomerFactory(status=status, **party)
        Customer.objects.filter(pk=customer.pk).update(valid_from=SINCE, currency=currency)
        CommunicationPreferences.objects.filter(customer=customer).update(
            statement_frequency=frequency,
            statement_format=statement_format,
            language=language,
            itemised_statement=itemised,
        )
        customer.refresh_from_db()
        return customer

    return make


def invoice(customer, number: str, issued_on: datetime.date, amount: str):
    return InvoiceFactory(
        customer=customer, number=number, issued_on=issued_on, amount=Decimal(amount)
    )


def payment(customer, reference: str, received_on: datetime.date, amount: str):
    return payment_record(
        customer=customer,
        amount=Decimal(amount),
        received_on=received_on,
        method="bank_transfer",
        reference=reference,
        actor=None,
    )


@pytest.fixture
def seeded(customer_with):
    """Maria Keller, monthly, in German: two invoices and a payment before November 2026, an
    invoice and two payments in it, and an invoice after it.

    Opening 1 November: 40.00 + 55.50 - 40.00 = 55.50
    November: invoiced 61.25, paid 55.50 + 20.00 = 75.50
    Closing 30 November: 55.50 + 61.25 - 75.50 = 41.25
    """
    customer = customer_with(language="de", given_name="Maria", family_name="Keller")
    invoice(customer, "INV-SEED-09", datetime.date(2026, 9, 3), "40.00")
    invoice(customer, "INV-SEED-10", datetime.date(2026, 10, 3), "55.50")
    payment(customer, "PAY-SEED-09", datetime.date(2026, 9, 20), "40.00")
    invoice(customer, "INV-SEED-11", datetime.date(2026, 11, 3), "61.25")
    payment(customer, "PAY-SEED-10", datetime.date(2026, 11, 1), "55.50")
    payment(customer, "PAY-SEED-11", datetime.date(2026, 11, 30), "20.00")
    invoice(customer, "INV-SEED-12", datetime.date(2026, 12, 3), "99.00")
    return customer


@pytest.fixture
def mailable(customer_with):
    """``mailable(language=..., consent=True, statement_format="email")``: a customer with an
    e-mail address who chose statements by e-mail, consented to service messages by e-mail
    (unless ``consent=False``) and may be contacted at any time; an invoice in November 2026."""

    def make(*, language="en", consent=True, statement_format="email", email=None):
        customer = customer_with(
            language=language,
            statement_format=statement_format,
            given_name="Lena",
            family_name="Brandt",
            contact_media=[
                ContactMediumInput(
                    kind="email",
                    value=email or f"lena.{next(_mail_numbers)}@example.com",
                    is_preferred=True,
                )
            ],
        )
        CommunicationPreferences.objects.filter(customer=customer).update(contact_on_weekends=True)
        if consent:
            consent_record(
                customer=customer,
                channel="email",
                purpose="service",
                granted=True,
                source="web",
                actor=None,
            )
        invoice(customer, f"INV-MAIL-{customer.pk}", datetime.date(2026, 11, 4), "30.00")
        return customer

    return make
