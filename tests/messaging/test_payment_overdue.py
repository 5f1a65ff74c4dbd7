"""A missed payment warns an active customer before any suspension: once per invoice, in their
language, on a channel they consented to, recorded on their timeline as billing."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.events import CustomerEvent
from customers.models import Customer, Interaction
from customers.services import consent_record, invoices_mark_missed
from messaging.defaults import DEFAULT_TEXTS
from messaging.models import Event, OutboundMessage, OverdueNotice
from messaging.services import messages_for_events
from tests.factories import InvoiceFactory

LANGUAGES = ["en", "de", "fr", "es"]
BODY_WORD = {"en": "Hello", "de": "Guten Tag", "fr": "Bonjour", "es": "Hola"}
# The due date as each language's notice writes it.
DUE_TEXT = {
    "en": "March 3, 2025",
    "de": "3. März 2025",
    "fr": "3 mars 2025",
    "es": "3 de marzo de 2025",
}
DUE = datetime.date(2025, 3, 3)
TODAY = datetime.date(2025, 3, 20)


def _overdue(customer, amount="42.50", *, due_on=DUE):
    return InvoiceFactory(
        customer=customer,
        amount=Decimal(amount),
        issued_on=due_on - datetime.timedelta(days=14),
        due_on=due_on,
    )


def _missed(customer, *invoices) -> CustomerEvent:
    """The event the daily job announces for these invoices of ``customer``."""
    return CustomerEvent(
        customer=customer,
        action="payment.missed",
        data={
            "invoices": [invoice.number for invoice in invoices],
            "amount": f"{sum(invoice.amount for invoice in invoices):.2f}",
            "currency": customer.currency,
        },
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_missed_payment_sends_the_notice_in_the_customers_language(
    reachable, tasks_in_process, django_capture_on_commit_callbacks, language
):
    customer = reachable(Customer.Status.ACTIVE, language=language)
    invoice = _overdue(customer)

    with django_capture_on_commit_callbacks(execute=True):
        assert invoices_mark_missed(today=TODAY) == 1

    subject = DEFAULT_TEXTS[Event.PAYMENT_OVERDUE][language][0]
    assert [m.subject for m in mail.outbox] == [subject]
    assert mail.outbox[0].to == ["kim@example.com"]
    body = mail.outbox[0].body
    assert body.startswith(f"{BODY_WORD[language]} Kim Keller")
    assert customer.number in body
    assert invoice.number in body
    assert "42" in body and "50" in body
    assert DUE_TEXT[language] in body
    message = OutboundMessage.objects.get()
    assert (message.event, message.status, message.language) == (
        "payment_overdue",
        "sent",
        language,
    )
    recorded = Interaction.objects.get(customer=customer, direction="outbound")
    assert recorded.kind == Interaction.Kind.BILLING
    assert recorded.outcome == Interaction.Outcome.NO_ACTION
    assert subject in recorded.summary


@pytest.mark.parametrize("status", [Customer.Status.SUSPENDED, Customer.Status.TERMINATED])
def test_a_customer_no_longer_active_gets_no_notice(reachable, status):
    customer = reachable(status)
    _overdue(customer)

    invoices_mark_missed(today=TODAY)

    assert not OutboundMessage.objects.exists()
    assert not OverdueNotice.objects.exists()


def test_only_the_active_customers_of_a_batch_are_told(reachable):
    active = reachable(Customer.Status.ACTIVE, email="active@example.com")
    suspended = reachable(Customer.Status.SUSPENDED, email="suspended@example.com")
    _overdue(active)
    _overdue(suspended)

    invoices_mark_missed(today=TODAY)

    assert list(OutboundMessage.objects.values_list("address", flat=True)) == ["active@example.com"]


def test_an_invoice_announced_missed_twice_is_told_of_once(reachable):
    customer = reachable(Customer.Status.ACTIVE)
    invoice = _overdue(customer)

    first = messages_for_events([_missed(customer, invoice)])
    again = messages_for_events([_missed(customer, invoice)])
    # In one batch too.
    in_one_batch = messages_for_events([_missed(customer, invoice), _missed(customer, invoice)])

    assert len(first) == 1 and again == [] and in_one_batch == []
    assert OutboundMessage.objects.count() == 1
    notice = OverdueNotice.objects.get()
    assert (notice.invoice_id, notice.message_id) == (invoice.pk, first[0].pk)


def test_the_daily_job_run_twice_sends_one_notice(reachable):
    customer = reachable(Customer.Status.ACTIVE)
    _overdue(customer)

    invoices_mark_missed(today=TODAY)
    invoices_mark_missed(today=TODAY)
    invoices_mark_missed(today=TODAY + datetime.timedelta(days=1))

    assert OutboundMessage.objects.filter(event="payment_overdue").count() == 1


def test_a_later_missed_invoice_gets_its_own_notice_naming_only_it(reachable):
    customer = reachable(Customer.Status.ACTIVE)
    earlier = _overdue(customer)
    later = _overdue(customer, "10.00", due_on=DUE + datetime.timedelta(days=30))

    messages_for_events([_missed(customer, earlier)])
    second = messages_for_events([_missed(customer, earlier, later)])

    assert len(second) == 1
    assert later.number in second[0].body and earlier.number not in second[0].body
    assert "10.00" in second[0].body
    assert OverdueNotice.objects.count() == 2


def test_several_invoices_missed_together_make_one_notice(reachable):
    customer = reachable(Customer.Status.ACTIVE)
    first = _overdue(customer, "20.00")
    second = _overdue(customer, "5.50", due_on=DUE + datetime.timedelta(days=7))

    invoices_mark_missed(today=TODAY)

    message = OutboundMessage.objects.get()
    assert f"{first.number}, {second.number}" in message.body
    assert "25.50" in message.body
    assert "March 3, 2025" in message.body  # the earliest due date
    assert OverdueNotice.objects.filter(message=message).count() == 2


def test_an_invoice_paid_since_is_not_told_of(reachable):
    from customers.models import Invoice

    customer = reachable(Customer.Status.ACTIVE)
    invoice = _overdue(customer)
    Invoice.objects.filter(pk=invoice.pk).update(paid_on=TODAY, paid_amount=invoice.amount)

    assert messages_for_events([_missed(customer, invoice)]) == []


def test_without_consent_to_service_messages_there_is_no_notice(reachable):
    customer = reachable(Customer.Status.ACTIVE)
    consent_record(
        customer=customer,
        channel="email",
        purpose="service",
        granted=False,
        source="web",
        actor=None,
    )
    _overdue(customer)

    invoices_mark_missed(today=TODAY)

    assert not OutboundMessage.objects.exists()
    assert not mail.outbox


def test_the_notice_waits_for_the_customers_contact_time(reachable):
    from customers.services import preferences_update

    customer = reachable(Customer.Status.ACTIVE)
    preferences_update(
        customer=customer,
        actor=None,
        contact_time_from=datetime.time(9, 0),
        contact_time_to=datetime.time(17, 0),
        contact_on_weekends=True,
    )
    invoice = _overdue(customer)
    night = timezone.make_aware(datetime.datetime(2025, 3, 20, 22, 0))

    [message] = messages_for_events([_missed(customer, invoice)], now=night)

    assert message.due_at == timezone.make_aware(datetime.datetime(2025, 3, 21, 9, 0))


def test_a_batch_of_missed_payments_is_handled_with_a_fixed_number_of_queries(reachable):
    def queries_for(count: int) -> int:
        events = []
        for n in range(count):
            customer = reachable(Customer.Status.ACTIVE, email=f"c{count}-{n}@example.com")
            events.append(_missed(customer, _overdue(customer), _overdue(customer, "9.00")))
        with CaptureQueriesContext(connection) as captured:
            messages = messages_for_events(events, now=timezone.now())
        assert len(messages) == count
        return len(captured)

    assert queries_for(2) == queries_for(7)


def test_the_editor_offers_the_notice_with_its_placeholders(client, template_editor):
    from django.urls import reverse

    client.force_login(template_editor)
    assert reverse("messaging:template_edit", args=["payment_overdue", "fr"]) in (
        client.get(reverse("messaging:templates")).content.decode()
    )
    page = client.get(reverse("messaging:template_edit", args=["payment_overdue", "fr"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Bonjour Ada Example" in text and "INV-000042" in text  # the sample, previewed
    assert "{invoice}" in text and "{amount}" in text
