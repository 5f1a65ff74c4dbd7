"""Customer events other apps react to, without this app importing them.

``customer_event`` is sent once per batch of changes recorded in the action log, inside the
transaction that made them, with ``events``: a list of ``CustomerEvent``. A single change is a
batch of one; a bulk writer (an import, the daily missed-payment job) announces all of its
changes at once, so receivers do their work set-based: one query for the batch, never one per
customer. A receiver that writes rows (an outbox, a rescore request) commits or rolls back with
the change itself; one that starts background work hands it over after commit
(``crm.handoff.task_send_after_commit``).
"""

from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

customer_event = Signal()


@dataclass(frozen=True)
class CustomerEvent:
    """One change to one customer: ``action`` (e.g. ``"payment.recorded"``) and ``data`` (the
    action log's details). ``customer`` is the Customer as the change left it."""

    customer: Any
    action: str
    data: dict = field(default_factory=dict)


def customer_events_announce(events: list[CustomerEvent]) -> None:
    """Tell every receiver of these changes, in one batch (nothing when there are none)."""
    if events:
        customer_event.send(sender=CustomerEvent, events=events)


# A party may exist without a customer role (a partner registers it through TMF632 first).
# Changes to such a party concern no customer, so they are announced on their own signal.
party_event = Signal()


@dataclass(frozen=True)
class PartyEvent:
    """One change to a party that has no customer role: ``action`` (``party.created``,
    ``party.changed``, ``party.deleted``) and ``data`` (the action log's details). ``party`` is
    the Party as the change left it (still saved when it is deleted)."""

    party: Any
    action: str
    data: dict = field(default_factory=dict)


def party_events_announce(events: list[PartyEvent]) -> None:
    """Tell every receiver of these party changes, in one batch, inside their transaction."""
    if events:
        party_event.send(sender=PartyEvent, events=events)


# Sent by the customer page each time it is shown, with ``customer`` and ``viewer`` (the staff
# user): who looked at whom is the privacy app's access log, kept without this app knowing it.
customer_viewed = Signal()
