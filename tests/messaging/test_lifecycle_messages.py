"""Each lifecycle change sends its message once, in the customer's language, on a channel
they consented to, and records it on their timeline."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.events import CustomerEvent
from customers.models import ContactMedium, Customer, Interaction
from customers.services import (
    ContactMediumInput,
    consent_record,
    contact_medium_update,
    customer_establish,
    customer_reestablish,
    customer_suspend,
    customer_terminate,
)
from messaging.defaults import DEFAULT_TEXTS
from messaging.models import Event, OutboundMessage
from messaging.services import messages_for_events
from tests.factories import InvoiceFactory

LANGUAGES = ["en", "de", "fr", "es"]
# A word of each language's body that the others do not have.
BODY_WORD = {"en": "Hello", "de": "Guten Tag", "fr": "Bonjour", "es": "Hola"}


def _change(event, customer):
    """Make the change that calls for ``event``; the invoice number when it is a termination."""
    if event == Event.WELCOME:
        customer_establish(customer=customer, actor=None, reason="contract_signed")
    elif event == Event.SUSPENSION:
        customer_suspend(customer=customer, actor=None, reason="customer_request")
    elif event == Event.TERMINATION:
        customer_terminate(customer=customer, actor=None, reason="voluntary_churn")
    elif event == Event.WELCOME_BACK:
        customer_reestablish(customer=customer, actor=None, reason="returned")
    else:
        contact = ContactMedium.objects.get(party_id=customer.party_id, kind="email")
        contact_medium_update(
            contact=contact,
            medium=ContactMediumInput(kind="email", value="kim.new@example.com", is_preferred=True),
            actor=None,
        )


START = {
    Event.WELCOME: Customer.Status.LEAD,
    Event.SUSPENSION: Customer.Status.ACTIVE,
    Event.TERMINATION: Customer.Status.ACTIVE,
    Event.WELCOME_BACK: Customer.Status.TERMINATED,
    Event.CONTACT_CHANGE: Customer.Status.ACTIVE,
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("event", list(START))  # the lifecycle's; statements have their own
def test_each_event_sends_its_message_in_the_customers_language(
    reachable, tasks_in_process, django_capture_on_commit_callbacks, event, language
):
    customer = reachable(START[event], language=language)
    invoice = None
    if event == Event.TERMINATION:
        invoice = InvoiceFactory(customer=customer, amount=Decimal("40.00"))
    with django_capture_on_commit_callbacks(execute=True):
        _change(event, customer)

    subject = DEFAULT_TEXTS[event][language][0].format(name="Kim Keller")
    sent = [m for m in mail.outbox if m.subject == subject]
    assert sent, [m.subject for m in mail.outbox]
    body = sent[0].body
    assert body.startswith(BODY_WORD[language])
    assert customer.number in body
    if event == Event.TERMINATION:
        assert invoice.number in body  # the final bill
        assert "40" in body
    if event == Event.CONTACT_CHANGE:
        # The new address hears of the change, and so does the old one.
        assert sorted(m.to[0] for m in sent) == ["kim.new@example.com", "kim@example.com"]
    else:
        assert [m.to for m in sent] == [["kim@example.com"]]
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {"sent"}
    recorded = Interaction.objects.filter(
        customer=customer, direction="outbound", channel="email", summary__contains=subject
    )
    assert recorded.count() == len(sent)
    assert recorded.first().outcome == Interaction.Outcome.NO_ACTION


def test_a_language_we_have_no_texts_in_falls_back_to_english(
    reachable, tasks_in_process, django_capture_on_commit_callbacks
):
    customer = reachable(Customer.Status.ACTIVE, language="it")
    with django_capture_on_commit_callbacks(execute=True):
        customer_suspend(customer=customer, actor=None, reason="customer_request")
    assert [m.subject for m in mail.outbox] == ["Your services are suspended"]


def test_a_regional_language_tag_gets_its_language(
    reachable, tasks_in_process, django_capture_on_commit_callbacks
):
    customer = reachable(Customer.Status.ACTIVE, language="de-CH")
    with django_capture_on_commit_callbacks(execute=True):
        customer_suspend(customer=customer, actor=None, reason="customer_request")
    assert [m.subject for m in mail.outbox] == ["Ihre Dienste sind gesperrt"]


def test_termination_without_any_invoice_says_there_is_none(
    reachable, tasks_in_process, django_capture_on_commit_callbacks
):
    customer = reachable(Customer.Status.ACTIVE)
    with django_capture_on_commit_callbacks(execute=True):
        customer_terminate(customer=customer, actor=None, reason="voluntary_churn")
    assert "last invoice none" in mail.outbox[0].body


def test_sms_consent_sends_by_sms_and_logs_no_text(
    reachable, tasks_in_process, django_capture_on_commit_callbacks, caplog
):
    customer = reachable(Customer.Status.ACTIVE, channel="sms")
    with django_capture_on_commit_callbacks(execute=True):
        customer_suspend(customer=customer, actor=None, reason="customer_request")
    message = OutboundMessage.objects.get()
    assert (message.channel, message.address, message.status) == ("sms", "+41791234567", "sent")
    assert not mail.outbox
    assert Interaction.objects.filter(customer=customer, channel="sms", direction="outbound")
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "+41791234567" not in logged and "suspended" not in logged.lower()


def test_without_consent_to_service_messages_nothing_is_written_or_sent(
    reachable, tasks_in_process, django_capture_on_commit_callbacks
):
    customer = reachable(Customer.Status.ACTIVE, channel=None)
    consent_record(
        customer=customer,
        channel="email",
        purpose="marketing",  # another purpose does not count
        granted=True,
        source="web",
        actor=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        customer_suspend(customer=customer, actor=None, reason="customer_request")
    assert not OutboundMessage.objects.exists()
    assert not mail.outbox


def test_consent_withdrawn_before_the_message_goes_out_stops_it(reachable, tasks_in_process):
    customer = reachable(Customer.Status.ACTIVE)
    # The change commits and its message waits (here: its hand-off is not run).
    customer_suspend(customer=customer, actor=None, reason="customer_request")
    consent_record(
        customer=customer,
        channel="email",
        purpose="service",
        granted=False,
        source="web",
        actor=None,
    )
    from messaging.services import outbound_message_send

    message = OutboundMessage.objects.get()
    assert outbound_message_send(message_id=message.pk) == "withdrawn"
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.WITHDRAWN
    assert not mail.outbox
    assert not Interaction.objects.filter(customer=customer, direction="outbound").exists()


def test_a_rolled_back_change_sends_nothing(reachable):
    from django.db import transaction

    customer = reachable(Customer.Status.ACTIVE)
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_suspend(customer=customer, actor=None, reason="customer_request")
        assert OutboundMessage.objects.count() == 1
        raise RuntimeError("the change fails after the transition")
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize("missed_payments", [False, True], ids=["lifecycle", "with_missed"])
def test_a_batch_of_events_is_handled_with_a_fixed_number_of_queries(reachable, missed_payments):
    def queries_for(count: int) -> int:
        customers = [
            reachable(Customer.Status.ACTIVE, email=f"c{count}-{n}@example.com")
            for n in range(count)
        ]
        events = [
            CustomerEvent(customer=c, action="customer.terminate", data={}) for c in customers
        ]
        if missed_payments:  # the daily job's batch, mixed in: a notice per customer as well
            events += [
                CustomerEvent(
                    customer=c,
                    action="payment.missed",
                    data={"invoices": [InvoiceFactory(customer=c).number]},
                )
                for c in customers
            ]
        with CaptureQueriesContext(connection) as captured:
            messages = messages_for_events(events, now=timezone.now())
        assert len(messages) == len(events)
        return len(captured)

    assert queries_for(2) == queries_for(7)


def test_events_that_are_no_lifecycle_change_write_nothing(reachable, django_assert_num_queries):
    customer = reachable(Customer.Status.ACTIVE)
    events = [CustomerEvent(customer=customer, action="payment.recorded", data={})]
    with django_assert_num_queries(0):
        assert messages_for_events(events) == []


def test_a_contact_change_by_someone_else_reaches_the_old_address_too(reachable):
    customer = reachable(Customer.Status.ACTIVE)
    data = {
        "before": {"kind": "email", "value": "kim@example.com", "is_preferred": True},
        "after": {"kind": "email", "value": "attacker@example.com", "is_preferred": True},
    }
    ContactMedium.objects.filter(value="kim@example.com").update(value="attacker@example.com")
    messages = messages_for_events(
        [CustomerEvent(customer=customer, action="contact_medium.changed", data=data)],
        now=timezone.now() - timedelta(seconds=1),
    )
    assert sorted(m.address for m in messages) == ["attacker@example.com", "kim@example.com"]
    assert "kim@example.com replaced by attacker@example.com" in messages[0].body
