"""TMF683 party interaction events: which changes make which event, and what each carries.

The spec's schema for the status change is named ``PartyInteractionStatusChange``; its examples,
its listener (``/listener/partyInteractionStatusChangeEvent``) and the other three events say
``…Event``, which is what we send as the event type.
"""

from customers.events import CustomerEvent
from customers.models import Interaction
from customers.partners.api.interaction.representation import (
    STATUS_OF_OUTCOME,
    interaction_representation,
    interactions_with_relations,
)
from customers.partners.models import HubSubscription
from customers.partners.notices import HubNotice

API = HubSubscription.Api.INTERACTION
CREATE, CHANGE, STATUS_CHANGE, DELETE = (
    "PartyInteractionCreateEvent",
    "PartyInteractionAttributeValueChangeEvent",
    "PartyInteractionStatusChangeEvent",
    "PartyInteractionDeleteEvent",
)
EVENT_TYPES = (CREATE, CHANGE, STATUS_CHANGE, DELETE)
# The TMF attributes a logged change touched, by model field.
_ATTRIBUTES = {"summary": "description", "kind": "reason", "channel": "relatedChannel"}


def _event_types(event: CustomerEvent) -> list[tuple[str, list[str]]]:
    """(event type, changed attributes) for one logged change; an interaction's owner is not
    part of the TMF resource, so giving it to a colleague announces nothing."""
    action, data = event.action, event.data
    if action == "interaction.recorded":
        return [(CREATE, [])]
    if action == "interaction.resolved":
        return [(STATUS_CHANGE, ["status"])]
    if action == "interaction.changed":
        found = []
        changed = [_ATTRIBUTES[name] for name in data.get("changed", []) if name in _ATTRIBUTES]
        if changed:
            found.append((CHANGE, sorted(changed)))
        before = STATUS_OF_OUTCOME.get(data.get("previous_outcome"))
        if "outcome" in data.get("changed", []) and before != STATUS_OF_OUTCOME.get(
            data.get("outcome")
        ):
            found.append((STATUS_CHANGE, ["status"]))
        return found
    return []


def interaction_notices(events: list[CustomerEvent], hears) -> list[HubNotice]:
    """The TMF683 events of a batch of changes that some hub hears (``hears(event_type,
    partner_id)``), each with its interaction as it is now: one query for the whole batch,
    and one more when a customer is deleted with its interactions."""
    wanted = [
        (event, event_type, changed)
        for event in events
        for event_type, changed in _event_types(event)
        if hears(event_type, event.customer.partner_id)
    ]
    deleted = [
        event
        for event in events
        if event.action == "customer.deleted" and hears(DELETE, event.customer.partner_id)
    ]
    notices = []
    if wanted:
        loaded = interactions_with_relations(
            Interaction.objects.filter(pk__in={event.data["id"] for event, _, _ in wanted})
        ).in_bulk()
        for event, event_type, changed in wanted:
            interaction = loaded.get(event.data["id"])
            if interaction is not None:
                notices.append(_notice(interaction, event_type, changed))
    if deleted:
        # The customer's interactions go with it: announced while they still exist.
        gone = interactions_with_relations(
            Interaction.objects.filter(customer__in=[event.customer.pk for event in deleted])
        ).order_by("pk")
        notices += [_notice(interaction, DELETE, []) for interaction in gone]
    return notices


def _notice(interaction: Interaction, event_type: str, changed: list[str]) -> HubNotice:
    title = f"{event_type.removesuffix('Event')} {interaction.pk}"
    if changed:
        title += f": {', '.join(changed)}"
    return HubNotice(
        api=API,
        event_type=event_type,
        title=title,
        resource_name="partyInteraction",
        resource=interaction_representation(interaction),
        partner_id=interaction.customer.partner_id,
        customer_id=interaction.customer_id,
    )
