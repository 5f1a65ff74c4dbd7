"""The access log: who opened a customer's page or downloaded what is held about them.

Recorded with one INSERT per access and nothing read first; kept CRM_ACCESS_LOG_DAYS, then
forgotten in batches by a daily job. A list export is not in it: it is one entry of the
action log for the whole list, not an access to one customer.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from crm.keyset import KeysetPage, keyset_page
from customers.services.audit import actor_label

from .models import AccessLogEntry

ACCESS_ORDER = ("-at", "-id")
PANEL_ENTRIES = 20
PAGE_SIZE = 50
# Rows one DELETE removes: small enough that each statement holds its locks only briefly.
FORGET_BATCH = 10_000


def access_record(*, customer_id: int, actor, what: str) -> AccessLogEntry:
    """One access to one customer by ``actor`` (a staff user)."""
    return AccessLogEntry.objects.create(
        customer_id=customer_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor)[:150],
        what=what,
        at=timezone.now(),
    )


def page_viewed(sender, *, customer, viewer, **kwargs) -> None:
    """Receiver of ``customers.events.customer_viewed``."""
    access_record(customer_id=customer.pk, actor=viewer, what=AccessLogEntry.What.PAGE)


def access_log_forget(*, now=None, batch: int = FORGET_BATCH) -> int:
    """Delete the entries older than CRM_ACCESS_LOG_DAYS, a batch of ids per statement (no row
    is read into Python); the number deleted."""
    before = (now or timezone.now()) - timedelta(days=settings.CRM_ACCESS_LOG_DAYS)
    total = 0
    while True:
        oldest = AccessLogEntry.objects.filter(at__lt=before).order_by("pk").values("pk")[:batch]
        deleted, _ = AccessLogEntry.objects.filter(pk__in=oldest).delete()
        total += deleted
        if deleted < batch:
            return total


def _entries_of(customer_id: int, *, what: str = "") -> QuerySet:
    entries = AccessLogEntry.objects.filter(customer_id=customer_id)
    return entries.filter(what=what) if what else entries


def access_latest(customer) -> dict:
    """The customer page's panel: the newest entries, one query on the customer's index."""
    return {
        "entries": list(_entries_of(customer.pk).order_by(*ACCESS_ORDER)[:PANEL_ENTRIES]),
        "shown": PANEL_ENTRIES,
    }


def access_page(
    *, customer_id: int, what: str = "", after: str = "", before: str = ""
) -> KeysetPage:
    """One page of the customer's access log, newest first."""
    return keyset_page(
        _entries_of(customer_id, what=what),
        order=ACCESS_ORDER,
        after=after,
        before=before,
        page_size=PAGE_SIZE,
    )
