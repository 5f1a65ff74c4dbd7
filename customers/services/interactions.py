"""Touch points: recorded, owned while open, resolved once.

An interaction recorded with an open outcome (open, escalated, follow-up needed) stays open
until someone resolves it; until then it has an owner, who finds it in the open interactions
list. Resolving logs ``interaction.resolved`` with the same details recording logs, so every
app that reacts to a closed touch point (a survey after it) reacts to either, once.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import Customer, Interaction
from customers.roles import may_be_given
from customers.services.audit import action_log_record, actor_label, customer_lock_for_edit, touch

# What an owner of an interaction must be allowed to do: resolve it.
OWNER_PERMISSION = "customers.change_interaction"

OPEN_OUTCOMES = frozenset(
    {Interaction.Outcome.OPEN, Interaction.Outcome.ESCALATED, Interaction.Outcome.FOLLOW_UP}
)
CLOSING_OUTCOMES = frozenset({Interaction.Outcome.RESOLVED, Interaction.Outcome.NO_ACTION})


def _user_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_owner(owner) -> None:
    if owner is not None and not may_be_given(owner, OWNER_PERMISSION):
        raise ValidationError(
            {"owner": f"{owner.get_username()} may not work on interactions; choose a colleague."}
        )


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
    owner=None,
    closed_at=None,
) -> Interaction:
    """Record a touch point; a closed outcome closes it at once (at ``closed_at`` when it is
    recorded after it ended, else now). Its owner is ``owner``, else the staff member who
    recorded it (none for a job or a partner: then it waits, unassigned)."""
    customer_lock_for_edit(customer)
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": "An interaction cannot happen in the future."})
    _check_owner(owner)
    staff = _user_or_none(actor)
    closed = outcome not in OPEN_OUTCOMES
    if closed_at is not None:
        if not closed:
            raise ValidationError({"closed_at": "An open interaction has not ended yet."})
        if not occurred_at <= closed_at <= now + timedelta(minutes=5):
            raise ValidationError(
                {"closed_at": "An interaction ends after it starts, and not in the future."}
            )
    interaction = Interaction(
        customer=customer,
        channel=channel,
        direction=direction,
        kind=kind,
        summary=summary.strip(),
        outcome=outcome,
        occurred_at=occurred_at,
        closed_at=(closed_at or now) if closed else None,
        closed_by=staff if closed else None,
        staff=staff,
        # By default the one who records it sees it through, if their role lets them.
        owner=owner or (staff if staff and may_be_given(staff, OWNER_PERMISSION) else None),
    )
    # The users are the ones just checked or acting; validating them would only query again.
    interaction.full_clean(exclude=["customer", "staff", "owner", "closed_by"])
    interaction.save()
    touch(customer)
    action_log_record(
        action="interaction.recorded",
        customer=customer,
        actor=actor,
        data={"id": interaction.pk, "kind": kind, "channel": channel, "outcome": outcome},
    )
    return interaction


def _locked_open(interaction: Interaction) -> Interaction:
    """The interaction, its customer and it locked (in that order, as every customer change
    takes them); refused once it was resolved."""
    customer_lock_for_edit(interaction.customer)
    locked = (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("customer", "owner", "closed_by")
        .get(pk=interaction.pk)
    )
    if locked.closed_at is not None:
        by = f" by {locked.closed_by.get_username()}" if locked.closed_by else ""
        raise ValidationError(
            f"This interaction was already closed{by} on "
            f"{timezone.localtime(locked.closed_at):%Y-%m-%d %H:%M}.",
            code="closed",
        )
    return locked


@transaction.atomic
def interaction_resolve(
    *, interaction: Interaction, actor, outcome: str = Interaction.Outcome.RESOLVED, note: str = ""
) -> Interaction:
    """Close an open interaction with a closing outcome (resolved, or no action needed)."""
    if outcome not in CLOSING_OUTCOMES:
        raise ValidationError(
            {"outcome": "An interaction is closed as resolved or as needing no action."}
        )
    interaction = _locked_open(interaction)
    note = note.strip()
    now = timezone.now()
    interaction.outcome = outcome
    interaction.closed_at = now
    interaction.closed_by = _user_or_none(actor)
    interaction.save(update_fields=["outcome", "closed_at", "closed_by"])
    touch(interaction.customer, at=now)
    data = {
        "id": interaction.pk,
        "kind": interaction.kind,
        "channel": interaction.channel,
        "outcome": outcome,
    }
    if note:
        data["note"] = note
    action_log_record(
        action="interaction.resolved", customer=interaction.customer, actor=actor, data=data
    )
    return interaction


@transaction.atomic
def interaction_assign(*, interaction: Interaction, owner, actor) -> Interaction:
    """Give an open interaction to ``owner`` (None: back to the unassigned list)."""
    _check_owner(owner)
    interaction = _locked_open(interaction)
    if interaction.owner_id == getattr(owner, "pk", None):
        return interaction  # nothing changes, nothing is logged
    previous = interaction.owner
    interaction.owner = owner
    interaction.save(update_fields=["owner"])
    action_log_record(
        action="interaction.assigned",
        customer=interaction.customer,
        actor=actor,
        data={
            "id": interaction.pk,
            "kind": interaction.kind,
            "from": actor_label(previous) if previous else None,
            "to": actor_label(owner) if owner else None,
        },
    )
    return interaction


# What a change may touch while the interaction is open, by model field.
CHANGEABLE = ("summary", "kind", "channel", "outcome")


@transaction.atomic
def interaction_change(
    *,
    interaction: Interaction,
    actor,
    summary: str | None = None,
    kind: str | None = None,
    channel: str | None = None,
    outcome: str | None = None,
    note: str = "",
) -> Interaction:
    """Correct an open interaction (its summary, type, channel) or move it between the open
    outcomes; a closing outcome then resolves it (``interaction_resolve``, with ``note``).

    A closed interaction is the customer's record and is not changed; asking for what it
    already is changes nothing and is not refused. Logs ``interaction.changed`` with the names
    of the fields that changed and the outcome it had before.
    """
    customer_lock_for_edit(interaction.customer)
    locked = (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("customer", "owner", "closed_by")
        .get(pk=interaction.pk)
    )
    wanted = {"summary": summary, "kind": kind, "channel": channel, "outcome": outcome}
    if summary is not None:
        wanted["summary"] = summary.strip()
    changes = {
        field: value
        for field, value in wanted.items()
        if value is not None and value != getattr(locked, field)
    }
    if not changes:
        return locked
    if locked.closed_at is not None:
        _locked_open(locked)  # refused, saying who closed it and when
    closing = changes.get("outcome") in CLOSING_OUTCOMES
    if closing:
        del changes["outcome"]
    previous_outcome = locked.outcome
    if changes:
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.full_clean(exclude=["customer", "staff", "owner", "closed_by"])
        locked.save(update_fields=list(changes))
        touch(locked.customer)
        action_log_record(
            action="interaction.changed",
            customer=locked.customer,
            actor=actor,
            data={
                "id": locked.pk,
                "kind": locked.kind,
                "channel": locked.channel,
                "outcome": locked.outcome,
                "changed": sorted(changes),
                "previous_outcome": previous_outcome,
            },
        )
    if closing:
        locked = interaction_resolve(interaction=locked, actor=actor, outcome=outcome, note=note)
    return locked
