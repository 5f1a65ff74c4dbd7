from typing import Any

from django.utils import timezone

from customers.models import ActionLog, Customer


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username()


def action_log_record(
    *,
    action: str,
    customer: Customer | None,
    actor=None,
    data: dict[str, Any] | None = None,
) -> ActionLog:
    """Record one change that matters. ``actor`` is a user, a job name or None for the system."""
    return ActionLog.objects.create(
        customer=customer,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        data=data or {},
        created_at=timezone.now(),
    )


def touch(customer: Customer, *, at=None) -> None:
    """Mark activity on the customer: a stale lead stops being stale."""
    at = at or timezone.now()
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=at, stale_since=None)
    customer.last_activity_at, customer.stale_since = at, None
