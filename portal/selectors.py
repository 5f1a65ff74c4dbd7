"""What the portal shows a customer: every read starts from that customer, so one customer
never reaches another's rows (an id that is not theirs is Http404). One query per list."""

from dataclasses import dataclass
from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone

from crm.keyset import KeysetPage, keyset_page
from customers.models import ActionLog, Consent, Customer, Interaction, Invoice, Payment
from privacy.models import SubjectAccessExport
from statements.selectors import statements_of

PAGE_SIZE = 20
INVOICE_ORDER = ("-issued_on", "-id")
PAYMENT_ORDER = ("-received_on", "-id")
# Closed interactions shown beside the open ones: the latest, of the last months.
RECENT_CLOSED_DAYS = 180
RECENT_CLOSED_LIMIT = 20
OPEN_LIMIT = 100


def customer_contact_media(customer: Customer) -> list:
    """The customer's contact media in force, preferred first within each kind."""
    today = timezone.localdate()
    return [
        medium
        for medium in customer.party.contact_media.all()
        if medium.valid_to is None or medium.valid_to >= today
    ]


def customer_subscriptions(customer: Customer) -> list:
    return list(customer.subscriptions.select_related("product").order_by("-start_date", "-id"))


def customer_invoices_page(customer: Customer, *, after: str = "", before: str = "") -> KeysetPage:
    """A page of the customer's invoices, newest first (ValidationError for a broken cursor)."""
    return keyset_page(
        Invoice.objects.filter(customer=customer),
        order=INVOICE_ORDER,
        after=after,
        before=before,
        page_size=PAGE_SIZE,
    )


def customer_invoice(customer: Customer, invoice_id: int) -> tuple[Invoice, list[Payment]]:
    """One of the customer's invoices and the payments allocated to it."""
    invoice = get_object_or_404(Invoice, pk=invoice_id, customer=customer)
    payments = list(invoice.payments.filter(customer=customer).order_by(*PAYMENT_ORDER))
    return invoice, payments


def customer_payments_page(customer: Customer, *, after: str = "", before: str = "") -> KeysetPage:
    """A page of the customer's payments, newest first, each with its invoice's number."""
    return keyset_page(
        Payment.objects.filter(customer=customer).select_related("invoice"),
        order=PAYMENT_ORDER,
        after=after,
        before=before,
        page_size=PAGE_SIZE,
    )


def customer_interactions(customer: Customer) -> tuple[list, list]:
    """The customer's open interactions (oldest first: the longest waiting on top) and the
    latest closed ones."""
    mine = Interaction.objects.filter(customer=customer).only(
        "id", "customer_id", "channel", "direction", "kind", "occurred_at", "outcome", "closed_at"
    )
    open_ones = list(mine.filter(closed_at__isnull=True).order_by("occurred_at", "id")[:OPEN_LIMIT])
    since = timezone.now() - timedelta(days=RECENT_CLOSED_DAYS)
    closed = list(
        mine.filter(closed_at__gte=since).order_by("-closed_at", "-id")[:RECENT_CLOSED_LIMIT]
    )
    return open_ones, closed


def customer_interaction(customer: Customer, interaction_id: int) -> Interaction:
    return get_object_or_404(Interaction, pk=interaction_id, customer=customer)


@dataclass(frozen=True)
class ConsentRow:
    """One channel for one purpose: the customer's answer (None: never asked) and its
    history, newest first, as the action log recorded it."""

    purpose: str
    channel: str
    granted: bool | None
    history: list


CONSENT_ACTIONS = ("consent.granted", "consent.withdrawn")


def customer_consents(customer: Customer) -> list[ConsentRow]:
    """Every channel of every purpose, with the answers given: two queries in all."""
    current = {
        (consent.purpose, consent.channel): consent.granted
        for consent in Consent.objects.filter(customer=customer)
    }
    history: dict[tuple, list] = {}
    entries = ActionLog.objects.filter(customer=customer, action__in=CONSENT_ACTIONS).order_by(
        "-created_at", "-id"
    )
    for entry in entries.only("action", "actor_label", "data", "created_at"):
        key = (entry.data.get("purpose"), entry.data.get("channel"))
        history.setdefault(key, []).append(entry)
    return [
        ConsentRow(
            purpose=purpose,
            channel=channel,
            granted=current.get((purpose, channel)),
            history=history.get((purpose, channel), []),
        )
        for purpose in Consent.Purpose.values
        for channel in Consent.Channel.values
    ]


def customer_statements(customer: Customer) -> list:
    return list(statements_of(customer))


def customer_statement(customer: Customer, statement_id: int):
    return get_object_or_404(statements_of(customer), pk=statement_id)


EXPORTS_SHOWN = 5


def customer_exports(customer: Customer) -> list:
    """The customer's latest requests for their data, newest first."""
    return list(
        SubjectAccessExport.objects.filter(customer=customer).order_by("-requested_at", "-id")[
            :EXPORTS_SHOWN
        ]
    )
