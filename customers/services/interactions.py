from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import Customer, Interaction

from .audit import action_log_record, customer_lock_for_edit, touch


@transaction.atomic
def interaction_record(
    *,
    customer: Customer,
    channel: str,
    direction: str,
    kind: str,
    summary: str,
    actor,
    outcome: str = Interaction.Outcome.RESOLVED,
    occurred_at=None,
) -> Interaction:
    """Record a touch point; a closed outcome closes it at once."""
    customer_lock_for_edit(customer)
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": "An interaction cannot happen in the future."})
    interaction = Interaction(
        customer=customer,
        channel=channel,
        direction=direction,
        kind=kind,
        summary=summary.strip(),
        outcome=outcome,
        occurred_at=occurred_at,
        closed_at=None if outcome in _OPEN_OUTCOMES else now,
        staff=actor if getattr(actor, "pk", None) else None,
    )
    interaction.full_clean(exclude=["customer"])
    interaction.save()
    touch(customer)
    action_log_record(
        action="interaction.recorded",
        customer=customer,
        actor=actor,
        data={"id": interaction.pk, "kind": kind, "channel": channel, "outcome": outcome},
    )
    return interaction


_OPEN_OUTCOMES = {
    Interaction.Outcome.OPEN,
    Interaction.Outcome.ESCALATED,
    Interaction.Outcome.FOLLOW_UP,
}
