"""Celery tasks of the partners app."""

from celery import shared_task

from customers.partners.models import HubDelivery
from customers.partners.services.hub import hub_deliveries_due
from customers.partners.services.hub import hub_delivery_send as hub_deliver


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
