"""TMF629 customer events: which changes make which event, and what each one carries."""

from customers.events import CustomerEvent
from customers.models import Customer
from customers.partners.api.customer.representation import (
    customer_representation,
    customers_with_relations,
)
from customers.partners.models import HubSubscription
from customers.partners.notices import HubNotice

API = HubSubscription.Api.CUSTOMER
CREATE, CHANGE, STATE_CHANGE, DELETE = (
    "CustomerCreateEvent",
    "CustomerAttributeValueChangeEvent",
    "CustomerStateChangeEvent",
    "CustomerDeleteEvent",
)
EVENT_TYPES = (CREATE, CHANGE, STATE_CHANGE, DELETE)
LIFECYCLE_ACTIONS = {
    "qualify",
    "establish",
    "disqualify",
    "suspend",
    "resume",
    "terminate",
    "reestablish",
    "merged_away",
}
ATTRIBUTE_ACTIONS = {
    "customer.updated",
    "customer.merged",
    "contact_medium.added",
    "contact_medium.changed",
    "contact_medium.removed",
    "preferences.changed",
    # The person was forgotten: the customer is a tombstone from now on.
    "customer.erased",
}


def event_type_for(action: str) -> str | None:
    if action == "customer.created":
        return CREATE
    if action == "customer.deleted":
        return DELETE
    if action.startswith("customer.") and action.removeprefix("customer.") in LIFECYCLE_ACTIONS:
        return STATE_CHANGE
    if action in ATTRIBUTE_ACTIONS:
        return CHANGE
    return None


# The TMF attributes a logged change touched, for the event's title.
_CUSTOMER_ATTRIBUTES = {
    "segment": "characteristic",
    "payment_method": "paymentMethod",
    "account_manager": "relatedParty",
    "lead_source": "characteristic",
    "name": "name",
    "description": "description",
}


def _changed_attributes(action: str, data: dict) -> list[str]:
    if action.startswith("contact_medium."):
        return ["contactMedium"]
    if action == "preferences.changed":
        return ["characteristic"]
    if action == "customer.merged":
        return ["contactMedium", "engagedParty", "agreement"]
    if action == "customer.erased":
        return ["contactMedium", "engagedParty", "name"]
    names = {_CUSTOMER_ATTRIBUTES.get(key, "engagedParty") for key in data}
    if names & {"engagedParty"}:
        names.add("name")
    return sorted(names)


def customer_notices(events: list[CustomerEvent], hears) -> list[HubNotice]:
    """The TMF629 events of a batch of changes that some hub hears (``hears(event_type,
    partner_id)``), each with its customer as it is now: one query for the whole batch."""
    typed = [(event, event_type_for(event.action)) for event in events]
    wanted = [
        (event, event_type)
        for event, event_type in typed
        if event_type is not None and hears(event_type, event.customer.partner_id)
    ]
    if not wanted:
        return []
    loaded = {
        customer.pk: customer
        for customer in customers_with_relations(
            Customer.objects.filter(pk__in={event.customer.pk for event, _ in wanted})
        )
    }
    notices = []
    for event, event_type in wanted:
        customer = event.customer
        changed = _changed_attributes(event.action, event.data) if event_type == CHANGE else []
        title = f"{event_type.removesuffix('Event')} {customer.number}"
        if changed:
            title += f": {', '.join(changed)}"
        notices.append(
            HubNotice(
                api=API,
                event_type=event_type,
                title=title,
                resource_name="customer",
                resource=customer_representation(loaded.get(customer.pk, customer)),
                partner_id=customer.partner_id,
                customer_id=customer.pk,
            )
        )
    return notices
