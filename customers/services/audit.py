from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.dispatch import Signal
from django.utils import timezone

from crm.bulk import bulk_insert
from customers.events import CustomerEvent, customer_events_announce
from customers.models import ActionLog, Customer, Partner

# Sent with the entries just logged, inside the transaction that made the changes: the field
# history (customers.history) names their actor on the rows its triggers wrote for them.
actions_logged = Signal()


@dataclass(frozen=True)
class PartnerActor:
    """A partner acting through the API: what services record as the actor of its writes.

    It has no ``pk`` on purpose: services that store the acting staff user store none for it.
    """

    partner: Partner
    token_prefix: str = ""

    def get_username(self) -> str:
        return f"partner {self.partner.name}"


def actor_label(actor) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return actor.get_username()


def action_log_entry(
    *,
    action: str,
    customer: Customer | None,
    actor=None,
    data: dict[str, Any] | None = None,
    partner: Partner | None = None,
    at=None,
) -> ActionLog:
    """An unsaved log entry. ``actor`` is a user, a job name or None for the system;
    ``partner`` is the partner the action concerns (a ``PartnerActor`` names its own)."""
    if isinstance(actor, PartnerActor):
        partner = actor.partner
    return ActionLog(
        customer=customer,
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor_label(actor),
        partner=partner,
        data=data or {},
        created_at=at or timezone.now(),
    )


def action_logs_record(
    entries: list[ActionLog], *, events: list[CustomerEvent] | None = None
) -> list[ActionLog]:
    """Record many changes with one insert and announce them to other apps as one batch.

    Each entry about a customer is announced as it is logged, unless ``events`` says what to
    announce instead: a bulk writer whose history sums a change up in one line (an import)
    announces what the single services announce for the same change. Nobody reads the new
    entries' ids, so none are fetched.
    """
    bulk_insert(entries)
    actions_logged.send(sender=ActionLog, entries=entries)
    if events is None:
        events = [
            CustomerEvent(customer=entry.customer, action=entry.action, data=entry.data)
            for entry in entries
            if entry.customer_id is not None
        ]
    customer_events_announce(events)
    return entries


def action_log_record(
    *,
    action: str,
    customer: Customer | None,
    actor=None,
    data: dict[str, Any] | None = None,
    partner: Partner | None = None,
) -> ActionLog:
    """Record one change that matters: a batch of one for ``action_logs_record``.

    Other apps hear of it through ``customers.events.customer_event``.
    """
    entry = action_log_entry(
        action=action, customer=customer, actor=actor, data=data, partner=partner
    )
    return action_logs_record([entry])[0]


class CustomerMerged(ValidationError):
    """The customer was merged into another and is read-only from then on."""


def customer_lock_for_edit(customer: Customer) -> None:
    """Lock the customer row until the transaction ends, and refuse a merged-away customer.

    Every editing service calls this first, inside its transaction: an edit that races a merge
    of the same customer waits for the merge to finish and is then refused, so nothing is ever
    written to a customer after its rows have been moved to the survivor.
    """
    merged_into_id = (
        Customer.objects.select_for_update()
        .values_list("merged_into_id", flat=True)
        .get(pk=customer.pk)
    )
    if merged_into_id is not None:
        survivor = Customer.objects.values_list("number", flat=True).get(pk=merged_into_id)
        raise CustomerMerged(
            f"Customer {customer.number} was merged into {survivor}; make changes there.",
            code="merged",
        )


def touch(customer: Customer, *, at=None) -> None:
    """Mark activity on the customer: a stale lead stops being stale."""
    at = at or timezone.now()
    Customer.objects.filter(pk=customer.pk).update(last_activity_at=at, stale_since=None)
    customer.last_activity_at, customer.stale_since = at, None
