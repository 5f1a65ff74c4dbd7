"""What the portal shows a customer: every read starts from that customer, so one customer
never reaches another's rows (an id that is not theirs is Http404). One query per list."""

from datetime import timedelta

from django.shortcuts import get_object_or_404
from django.utils import timezone

from crm.keyset import KeysetPage, keyset_page
from customers.models import Customer, Interaction, Invoice, Payment

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
