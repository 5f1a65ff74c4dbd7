"""Celery tasks of the partners app."""

from celery import shared_task
from django.utils import timezone

from crm.handoff import task_send
from customers.partners.models import HubDelivery
from customers.partners.services.hub import hub_deliveries_due
from customers.partners.services.hub import hub_delivery_send as hub_deliver
from customers.partners.services.idempotency import (
    idempotency_keys_forget as forget_idempotency_keys,
)


@shared_task
def hub_delivery_send(delivery_id: int) -> str:
    """Send one event to one hub. A failure is recorded on the delivery and retried later."""
    outcome = hub_deliver(delivery_id)
    if outcome == "retry":
        # The sweep would find it too; scheduling it here keeps the first retries prompt.
        due = HubDelivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True)
        wait = (due.first() - timezone.now()).total_seconds() if due.first() else 0
        task_send("customers.partners.tasks.hub_delivery_send", delivery_id, countdown=wait)
    return outcome


@shared_task
def hub_deliveries_sweep() -> int:
    """Every minute: send what is due, including deliveries whose message never arrived."""
    due = hub_deliveries_due()
    for delivery_id in due:
        task_send("customers.partners.tasks.hub_delivery_send", delivery_id)
    return len(due)


@shared_task
def idempotency_keys_forget() -> int:
    """Daily: forget the answers to Idempotency-Keys older than CRM_IDEMPOTENCY_HOURS."""
    return forget_idempotency_keys()
