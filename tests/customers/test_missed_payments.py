"""The daily job that notices a missed payment: each unpaid invoice past its due date is marked
once, and its customer's listeners hear ``payment.missed`` once per run."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from customers.events import customer_event
from customers.models import ActionLog, Customer, Invoice
from customers.selectors import customer_timeline
from customers.services import invoices_mark_missed, payment_record
from customers.services.audit import customer_lock_for_edit
from customers.tasks import mark_missed_payments
from risk.models import RescoreRequest
from tests.factories import CustomerFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 20)


def _invoice(customer, amount="40.00", *, due_on):
    return InvoiceFactory(
        customer=customer,
        amount=Decimal(amount),
        issued_on=due_on - datetime.timedelta(days=14),
        due_on=due_on,
    )


def _customer():
    return CustomerFactory(status=Customer.Status.ACTIVE)


def _missed_entries(customer=None):
    entries = ActionLog.objects.filter(action="payment.missed")
    return entries.filter(customer=customer) if customer else entries


@pytest.fixture
def heard():
    """Every ``payment.missed`` event sent, as (customer number, data)."""
    missed = []

    def listen(sender, *, events, **kwargs):
        missed.extend(
            (event.customer.number, event.data)
            for event in events
            if event.action == "payment.missed"
        )

    customer_event.connect(listen, dispatch_uid="tests.heard_missed_payments")
    yield missed
    customer_event.disconnect(dispatch_uid="tests.heard_missed_payments")


def test_an_unpaid_invoice_past_its_due_date_is_marked_missed_and_logged(heard):
    customer = _customer()
    invoice = _invoice(customer, "28.00", due_on=TODAY - datetime.timedelta(days=1))
    before = timezone.now()

    marked = invoices_mark_missed(today=TODAY)

    assert marked == 1
    invoice.refresh_from_db()
    assert invoice.missed_at >= before
    entry = _missed_entries(customer).get()
    assert entry.actor is None
    assert entry.actor_label == "job:mark_missed_payments"
    assert entry.created_at == invoice.missed_at
    assert entry.data == {
        "invoices": [invoice.number],
        "amount": "28.00",
        "total_overdue": "28.00",
        "currency": "EUR",
    }
    assert heard == [(customer.number, entry.data)]


def test_paid_invoices_and_invoices_not_yet_overdue_are_left_alone(manager):
    customer = _customer()
    due_today = _invoice(customer, due_on=TODAY)
    due_later = _invoice(customer, due_on=TODAY + datetime.timedelta(days=5))
    paid = _invoice(customer, due_on=TODAY - datetime.timedelta(days=3))
    payment_record(
        customer=customer,
        invoice=paid,
        amount=Decimal("40.00"),
        received_on=TODAY - datetime.timedelta(days=4),
        method="card",
        reference="PAY-1",
        actor=manager,
    )

    assert invoices_mark_missed(today=TODAY) == 0

    assert set(Invoice.objects.filter(missed_at__isnull=False)) == set()
    assert {due_today.pk, due_later.pk, paid.pk} == set(
        Invoice.objects.filter(missed_at__isnull=True).values_list("pk", flat=True)
    )
    assert not _missed_entries().exists()


def test_a_partly_paid_invoice_is_missed_for_what_is_still_open(manager):
    customer = _customer()
    invoice = _invoice(customer, "40.00", due_on=TODAY - datetime.timedelta(days=2))
    payment_record(
        customer=customer,
        invoice=invoice,
        amount=Decimal("15.00"),
        received_on=TODAY - datetime.timedelta(days=5),
        method="card",
        reference="PAY-1",
        actor=manager,
    )

    assert invoices_mark_missed(today=TODAY) == 1

    assert _missed_entries(customer).get().data["amount"] == "25.00"


def test_an_invoice_paid_in_full_without_a_paid_date_is_not_missed(heard):
    customer = _customer()
    invoice = _invoice(customer, due_on=TODAY - datetime.timedelta(days=3))
    Invoice.objects.filter(pk=invoice.pk).update(paid_amount=F("amount"))  # as an import brings it

    assert invoices_mark_missed(today=TODAY) == 0
    assert heard == []


def test_a_second_run_on_the_same_day_finds_nothing(heard):
    customer = _customer()
    invoice = _invoice(customer, due_on=TODAY - datetime.timedelta(days=1))
    invoices_mark_missed(today=TODAY)
    invoice.refresh_from_db()
    first_marked_at = invoice.missed_at

    assert invoices_mark_missed(today=TODAY) == 0
    assert invoices_mark_missed(today=TODAY + datetime.timedelta(days=1)) == 0

    invoice.refresh_from_db()
    assert invoice.missed_at == first_marked_at
    assert _missed_entries().count() == 1
    assert len(heard) == 1


def test_the_job_works_through_every_batch_with_one_event_per_customer(heard):
    """Five customers, nine missed invoices, batches of two: every invoice is marked, and a
    customer whose invoices straddle a batch boundary still hears of them once."""
    customers = [_customer() for _ in range(5)]
    long_ago = TODAY - datetime.timedelta(days=60)
    expected = {}
    for index, customer in enumerate(customers):
        count = 3 if index in (0, 3) else 1
        invoices = [
            _invoice(customer, "10.00", due_on=long_ago + datetime.timedelta(days=index + 7 * n))
            for n in range(count)
        ]
        expected[customer.number] = sorted(invoice.number for invoice in invoices)
    untouched = _invoice(customers[1], due_on=TODAY)

    marked = invoices_mark_missed(today=TODAY, batch_size=2)

    assert marked == 9
    assert not Invoice.objects.filter(due_on__lt=TODAY, missed_at__isnull=True).exists()
    untouched.refresh_from_db()
    assert untouched.missed_at is None
    assert {number: sorted(data["invoices"]) for number, data in heard} == expected
    assert len(heard) == len(customers)
    assert _missed_entries().count() == len(customers)
    first = next(data for number, data in heard if number == customers[0].number)
    assert (first["amount"], first["total_overdue"]) == ("30.00", "30.00")


def test_the_event_asks_the_risk_app_for_one_rescore_per_customer():
    late, also_late, on_time = _customer(), _customer(), _customer()
    _invoice(late, due_on=TODAY - datetime.timedelta(days=1))
    _invoice(late, due_on=TODAY - datetime.timedelta(days=30))
    _invoice(also_late, due_on=TODAY - datetime.timedelta(days=2))
    _invoice(on_time, due_on=TODAY)
    RescoreRequest.objects.all().delete()  # as if the rescores after establishing them had run

    invoices_mark_missed(today=TODAY)

    requests = {r.customer_id: r.reasons for r in RescoreRequest.objects.all()}
    assert requests == {late.pk: ["payment missed"], also_late.pk: ["payment missed"]}


def test_the_total_overdue_counts_invoices_missed_on_earlier_days():
    customer = _customer()
    _invoice(customer, "12.00", due_on=TODAY - datetime.timedelta(days=40))
    invoices_mark_missed(today=TODAY - datetime.timedelta(days=30))
    newly = _invoice(customer, "28.00", due_on=TODAY - datetime.timedelta(days=1))

    invoices_mark_missed(today=TODAY)

    latest = _missed_entries(customer).latest("id")
    assert latest.data["invoices"] == [newly.number]
    assert (latest.data["amount"], latest.data["total_overdue"]) == ("28.00", "40.00")


def test_a_payment_after_the_miss_settles_the_invoice_as_usual(manager):
    customer = _customer()
    invoice = _invoice(customer, "40.00", due_on=TODAY - datetime.timedelta(days=1))
    invoices_mark_missed(today=TODAY)
    invoice.refresh_from_db()
    missed_at = invoice.missed_at

    payment_record(
        customer=customer,
        invoice=invoice,
        amount=Decimal("40.00"),
        received_on=TODAY,
        method="card",
        reference="PAY-1",
        actor=manager,
    )

    invoice.refresh_from_db()
    assert (invoice.paid_on, invoice.open_amount, invoice.days_late) == (TODAY, 0, 1)
    assert invoice.missed_at == missed_at  # the record that it was missed stays
    assert invoices_mark_missed(today=TODAY + datetime.timedelta(days=1)) == 0


def test_the_timeline_says_which_payment_was_missed():
    customer = _customer()
    invoice = _invoice(customer, "28.00", due_on=TODAY - datetime.timedelta(days=1))
    invoices_mark_missed(today=TODAY)

    entry = next(e for e in customer_timeline(customer=customer) if e.title == "Payment missed")

    assert entry.detail == f"{invoice.number}: €28.00 unpaid after the due date"
    assert entry.actor == "job:mark_missed_payments"


def test_the_timeline_gives_the_total_when_earlier_invoices_are_overdue_too():
    customer = _customer()
    _invoice(customer, "12.00", due_on=TODAY - datetime.timedelta(days=40))
    invoices_mark_missed(today=TODAY - datetime.timedelta(days=30))
    newly = _invoice(customer, "28.00", due_on=TODAY - datetime.timedelta(days=1))
    invoices_mark_missed(today=TODAY)

    details = [e.detail for e in customer_timeline(customer=customer) if e.kind == "action"]

    assert f"{newly.number}: €28.00 unpaid after the due date; €40.00 overdue in all" in details


@pytest.mark.parametrize("batch_size", [0, -5])
def test_a_batch_size_below_one_is_refused(batch_size):
    with pytest.raises(ValidationError):
        invoices_mark_missed(today=TODAY, batch_size=batch_size)


def test_the_daily_task_marks_what_was_missed_up_to_today():
    customer = _customer()
    today = timezone.localdate()
    missed = _invoice(customer, due_on=today - datetime.timedelta(days=1))
    running = _invoice(customer, due_on=today)

    assert mark_missed_payments() == 1

    assert Invoice.objects.filter(missed_at__isnull=False).get() == missed
    running.refresh_from_db()
    assert running.missed_at is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_customer_being_changed_is_left_for_the_next_run_without_waiting():
    busy, idle = _customer(), _customer()
    busy_invoice = _invoice(busy, due_on=TODAY - datetime.timedelta(days=1))
    idle_invoice = _invoice(idle, due_on=TODAY - datetime.timedelta(days=1))
    locked, release = threading.Event(), threading.Event()

    def change_the_busy_customer():
        try:
            with transaction.atomic():
                customer_lock_for_edit(busy)
                locked.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    worker = threading.Thread(target=change_the_busy_customer)
    worker.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        assert invoices_mark_missed(today=TODAY) == 1
        assert time.monotonic() - started < 5  # it skipped the lock instead of waiting
    finally:
        release.set()
        worker.join(timeout=10)

    assert Invoice.objects.get(pk=idle_invoice.pk).missed_at is not None
    assert Invoice.objects.get(pk=busy_invoice.pk).missed_at is None
    assert invoices_mark_missed(today=TODAY) == 1
    assert Invoice.objects.get(pk=busy_invoice.pk).missed_at is not None
    assert _missed_entries().count() == 2
