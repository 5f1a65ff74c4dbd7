"""Customer events that call for a rescore of that customer."""

from django.conf import settings

from crm.handoff import task_send_after_commit

from . import services


def rescore_after_event(sender, *, events, **kwargs) -> None:
    """Open (or join) one rescore request per customer of the batch, and queue a rescore for
    each request opened. With the broker down the changes still stand: the request rows wait
    for the watchdog, and the user's page does not fail."""
    reasons: dict[int, list[str]] = {}
    for event in events:
        reason = services.rescore_reason(event.action, event.data)
        if reason:
            reasons.setdefault(event.customer.pk, []).append(reason)
    for customer_id in sorted(services.customers_rescore_request(reasons=reasons)):
        task_send_after_commit(
            "risk.tasks.customer_rescore",
            customer_id,
            countdown=settings.RISK_RESCORE_DELAY_SECONDS,
        )
