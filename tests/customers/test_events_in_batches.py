"""Customer events are announced in batches: a single change is a batch of one, a bulk writer
announces all its changes at once, and every receiver handles a batch with a fixed number of
queries, whatever its size."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Handoff
from customers.events import CustomerEvent, customer_event, customer_events_announce
from customers.models import ActionLog, Customer
from customers.partners.models import HubDelivery, HubEvent
from customers.partners.services.hub import hub_subscribe
from customers.services import invoices_mark_missed
from customers.services.audit import action_log_entry, action_log_record, action_logs_record
from risk.models import RescoreRequest
from risk.services import customer_rescore_request, customers_rescore_request
from satisfaction.services import survey_create
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 20)


@pytest.fixture
def batches():
    """The batches announced, as lists of (customer number, action)."""
    heard = []

    def listen(sender, *, events, **kwargs):
        heard.append([(event.customer.number, event.action) for event in events])

    customer_event.connect(listen, dispatch_uid="tests.batches")
    yield heard
    customer_event.disconnect(dispatch_uid="tests.batches")


def test_a_single_change_is_announced_as_a_batch_of_one(batches):
    customer = CustomerFactory()
    batches.clear()

    action_log_record(action="customer.updated", customer=customer, actor="test", data={})

    assert batches == [[(customer.number, "customer.updated")]]


def test_a_bulk_writer_records_many_entries_and_announces_them_once(batches):
    customers = [CustomerFactory() for _ in range(3)]
    batches.clear()

    action_logs_record(
        [
            action_log_entry(customer=c, action="payment.recorded", actor="test", data={})
            for c in customers
        ]
    )

    assert batches == [[(c.number, "payment.recorded") for c in customers]]
    assert ActionLog.objects.filter(action="payment.recorded").count() == 3


def test_the_missed_payments_job_announces_each_batch_once(batches):
    customers = [CustomerFactory(status=Customer.Status.ACTIVE) for _ in range(3)]
    for customer in customers:
        InvoiceFactory(
            customer=customer,
            amount=Decimal("10.00"),
            issued_on=TODAY - datetime.timedelta(days=30),
            due_on=TODAY - datetime.timedelta(days=5),
        )
    batches.clear()

    invoices_mark_missed(today=TODAY, batch_size=2)

    assert [len(batch) for batch in batches] == [2, 1]
    assert {number for batch in batches for number, _ in batch} == {c.number for c in customers}


def _announce_established(customers) -> int:
    """Queries taken by every receiver for one batch of ``customer.establish`` events."""
    events = [
        CustomerEvent(customer=c, action="customer.establish", data={"from": "lead"})
        for c in customers
    ]
    with CaptureQueriesContext(connection) as queries:
        customer_events_announce(events)
    return len(queries)


def test_receivers_take_as_many_queries_for_twenty_events_as_for_one(
    django_capture_on_commit_callbacks,
):
    hub_subscribe(partner=None, actor="test", callback="http://127.0.0.1:9/hub")
    survey_create(name="Welcome", kind="nps", trigger="onboarding", actor="test")
    one, twenty = CustomerFactory(), [CustomerFactory() for _ in range(20)]
    Handoff.objects.all().delete()  # what creating them handed over

    with django_capture_on_commit_callbacks() as handed_over:
        for_one = _announce_established([one])
        for_twenty = _announce_established(twenty)

    assert for_twenty == for_one
    assert HubEvent.objects.filter(event_type="CustomerStateChangeEvent").count() == 21
    assert HubDelivery.objects.filter(event__event_type="CustomerStateChangeEvent").count() == 21
    assert set(RescoreRequest.objects.values_list("customer_id", flat=True)) >= {
        c.pk for c in [one, *twenty]
    }
    # Per customer: its hub delivery, its rescore and its survey trigger, handed over with the
    # change, and sent after commit in one go per kind and batch.
    handoffs = Counter(Handoff.objects.values_list("task", flat=True))
    assert handoffs == {
        "customers.partners.tasks.hub_delivery_send": 21,
        "risk.tasks.customer_rescore": 21,
        "satisfaction.tasks.survey_trigger": 21,
    }
    assert len(handed_over) == 3 * 2


def test_a_bulk_rescore_request_opens_new_requests_and_joins_waiting_ones():
    waiting, new = CustomerFactory(), CustomerFactory()
    RescoreRequest.objects.all().delete()
    assert customer_rescore_request(customer_id=waiting.pk, reason="payment recorded")

    opened = customers_rescore_request(
        reasons={waiting.pk: ["payment missed"], new.pk: ["product added", "product added"]}
    )

    assert opened == {new.pk}
    reasons = dict(RescoreRequest.objects.values_list("customer_id", "reasons"))
    assert reasons == {
        waiting.pk: ["payment recorded", "payment missed"],
        new.pk: ["product added"],
    }
    assert not customer_rescore_request(customer_id=new.pk, reason="product added")
