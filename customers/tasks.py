"""Celery tasks: ids in, one service called; retries follow the one policy in crm.celery.

Duplicate scans and imports are job kinds: their chunks go through ``crm.jobs.tasks``.
"""

from celery import shared_task
from django.conf import settings

from customers.models import HubDelivery
from customers.services import invoices_mark_missed, leads_flag_stale
from customers.services.hub import hub_deliveries_due
from customers.services.hub import hub_delivery_send as hub_deliver


@shared_task
def flag_stale_leads(older_than_days: int | None = None) -> int:
    """Nightly: flag leads nobody has touched for CRM_STALE_LEAD_DAYS. Safe to run twice."""
    return leads_flag_stale(older_than_days=older_than_days or settings.CRM_STALE_LEAD_DAYS)


@shared_task
def mark_missed_payments() -> int:
    """Daily: mark unpaid invoices past their due date as missed. Safe to run twice."""
    return invoices_mark_missed()


@shared_task
def hub_delivery_send(delivery_id: int) -> str:
    """Send one event to one hub. A failure is recorded on the delivery and retried later."""
    outcome = hub_deliver(delivery_id)
    if outcome == "retry":
        # The sweep would find it too; scheduling it here keeps the first retries prompt.
        delay = HubDelivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True)
        hub_delivery_send.apply_async((delivery_id,), eta=delay.first())
    return outcome


@shared_task
def hub_deliveries_sweep() -> int:
    """Every minute: send what is due, including deliveries whose message never arrived."""
    due = hub_deliveries_due()
    for delivery_id in due:
        hub_delivery_send.delay(delivery_id)
    return len(due)
