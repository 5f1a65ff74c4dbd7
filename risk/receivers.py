"""Customer events that call for a rescore of that customer."""

from django.conf import settings

from crm.handoff import tasks_send_after_commit

from . import services


def rescore_after_event(sender, *, events, **kwargs) -> None:
    """Open (or join) one rescore request per customer of the batch, and queue a rescore for
    each request opened, with the change. With the broker down the change still stands and
    the user's page does not fail: the hand-offs wait for the broker."""
    reasons: dict[int, list[str]] = {}
    for event in events:
        reason = services.rescore_reason(event.action, event.data)
        if reason:
            reasons.setdefault(event.customer.pk, []).append(reason)
    opened = sorted(services.customers_rescore_request(reasons=reasons))
    tasks_send_after_commit(
        "risk.tasks.customer_rescore",
        [(customer_id,) for customer_id in opened],
        countdown=settings.RISK_RESCORE_DELAY_SECONDS,
    )
