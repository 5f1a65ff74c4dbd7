"""What a customer owes, and the daily job that notices a missed payment.

On any day the open amount splits in two: *overdue* (unpaid invoices past their due date) and
*not yet due*. Only the first is debt that stands in the way of leaving or coming back; the
second is an ordinary bill still running. ``debt_totals`` is the one definition of both, used
by the lifecycle rules and by the customer page alike.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from customers.models import Customer, Invoice
from customers.services.audit import action_log_entry, action_logs_record

# Not marked paid and money still open: an import may bring a paid amount without a paid date.
_UNPAID = Q(paid_on__isnull=True, paid_amount__lt=F("amount"))
_OPEN_AMOUNT = F("amount") - F("paid_amount")


def debt_totals(*, today: date) -> dict:
    """Aggregates over a customer's invoices that split what is open on ``today``.

    An invoice is overdue from the day after its due date until it is paid in full.
    """
    overdue, running = _UNPAID & Q(due_on__lt=today), _UNPAID & Q(due_on__gte=today)
    return {
        "overdue": Sum(_OPEN_AMOUNT, filter=overdue, default=Decimal("0")),
        "not_yet_due": Sum(_OPEN_AMOUNT, filter=running, default=Decimal("0")),
        "overdue_invoices": Count("id", filter=overdue),
        "open_invoices": Count("id", filter=_UNPAID),
    }


@dataclass(frozen=True)
class Debt:
    """What a customer owes on one day, in the customer's currency."""

    overdue: Decimal
    not_yet_due: Decimal
    overdue_invoices: int
    open_invoices: int
    currency: str

    @property
    def open_amount(self) -> Decimal:
        return self.overdue + self.not_yet_due

    def as_data(self) -> dict:
        """For action-log data and events: amounts as exact strings."""
        return {
            "overdue": f"{self.overdue:.2f}",
            "not_yet_due": f"{self.not_yet_due:.2f}",
            "overdue_invoices": self.overdue_invoices,
            "currency": self.currency,
        }


def debt_from_totals(totals: dict, *, currency: str) -> Debt:
    return Debt(
        overdue=Decimal(totals["overdue"]),
        not_yet_due=Decimal(totals["not_yet_due"]),
        overdue_invoices=totals["overdue_invoices"],
        open_invoices=totals["open_invoices"],
        currency=currency,
    )


def customer_debt(*, customer: Customer, today: date | None = None) -> Debt:
    """Overdue and not-yet-due amounts of one customer, in one query."""
    today = today or timezone.localdate()
    totals = Invoice.objects.filter(customer=customer).aggregate(**debt_totals(today=today))
    return debt_from_totals(totals, currency=customer.currency)


# --- Missed payments -------------------------------------------------------------------------

MISSED_PAYMENTS_JOB = "job:mark_missed_payments"


def invoices_mark_missed(*, today: date | None = None, batch_size: int = 1000) -> int:
    """Mark unpaid invoices whose due date has passed as missed; returns how many were marked.

    Runs daily. Each batch is one short transaction: it claims invoices (and their customers)
    that nobody else holds, marks them with one UPDATE, writes one log row per customer in
    bulk and announces them as one batch (``payment.missed``), so the risk app asks for the
    customers' rescores in the same transaction. A customer's overdue invoices are claimed
    together, so a run sends one event per customer. An invoice is marked once: a second run
    the same day, or a concurrent one, finds nothing left to do. A payment arriving later
    settles the invoice as usual; ``missed_at`` stays as the record that the due date was missed.
    """
    if batch_size < 1:
        raise ValidationError("batch_size must be at least 1.")
    today = today or timezone.localdate()
    marked = 0
    while True:
        with transaction.atomic():
            claimed = _claim_missed_invoices(today=today, batch_size=batch_size)
            if not claimed:
                return marked
            now = timezone.now()
            Invoice.objects.filter(
                pk__in=[invoice.pk for invoice in claimed], paid_on__isnull=True
            ).update(missed_at=now)
            _announce_missed_payments(claimed, today=today, now=now)
            marked += len(claimed)


def _claim_missed_invoices(*, today: date, batch_size: int) -> list[Invoice]:
    """A batch of newly missed invoices with every other one of the same customers.

    SKIP LOCKED on the invoice and on its customer: an invoice being paid, a customer being
    changed or merged, or a batch another run holds is left for the next batch or the next
    day, and this job never waits for a lock (so it cannot deadlock with a customer's change).
    """
    newly_missed = Invoice.objects.filter(_UNPAID, missed_at__isnull=True, due_on__lt=today)
    first = list(
        newly_missed.select_related("customer")
        .select_for_update(skip_locked=True, of=("self", "customer"))
        .order_by("due_on", "id")[:batch_size]
    )
    if not first:
        return []
    taken = {invoice.pk for invoice in first}
    customers = {invoice.customer_id: invoice.customer for invoice in first}
    rest = list(
        newly_missed.filter(customer_id__in=customers)
        .exclude(pk__in=taken)
        .select_for_update(skip_locked=True)
        .order_by("due_on", "id")
    )
    for invoice in rest:
        invoice.customer = customers[invoice.customer_id]
    return first + rest


def _announce_missed_payments(claimed: list[Invoice], *, today: date, now) -> None:
    by_customer: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in claimed:
        by_customer[invoice.customer_id].append(invoice)
    overdue_by_customer = dict(
        Invoice.objects.filter(customer_id__in=by_customer, paid_on__isnull=True, due_on__lt=today)
        .order_by()
        .values("customer_id")
        .annotate(total=Sum(_OPEN_AMOUNT))
        .values_list("customer_id", "total")
    )
    entries = []
    for customer_id, invoices in by_customer.items():
        customer = invoices[0].customer
        missed = sum((invoice.open_amount for invoice in invoices), Decimal("0"))
        entries.append(
            action_log_entry(
                customer=customer,
                action="payment.missed",
                actor=MISSED_PAYMENTS_JOB,
                at=now,
                data={
                    "invoices": [invoice.number for invoice in invoices],
                    "amount": f"{missed:.2f}",
                    "total_overdue": f"{Decimal(overdue_by_customer[customer_id]):.2f}",
                    "currency": customer.currency,
                },
            )
        )
    action_logs_record(entries)
