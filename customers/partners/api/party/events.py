"""TMF632 party events: which changes make which event, and what each one carries.

Two sources: changes to a customer (``customer_event``) that concern its party, and changes to
a party with no customer role (``party_event``, from ``customers.services.parties``).
"""

from customers.events import CustomerEvent, PartyEvent
from customers.models import Party
from customers.partners.api.party.representation import (
    TYPES,
    parties_with_relations,
    party_representation,
)
from customers.partners.models import HubSubscription
from customers.partners.notices import HubNotice
from customers.services.customers import PARTY_FIELDS

API = HubSubscription.Api.PARTY
CREATE, CHANGE, STATE_CHANGE, DELETE = "Create", "AttributeValueChange", "StateChange", "Delete"
EVENT_TYPES = tuple(
    f"{kind}{what}Event"
    for kind in ("Individual", "Organization")
    for what in (CREATE, CHANGE, STATE_CHANGE, DELETE)
)
RESOURCE_NAMES = {Party.Kind.INDIVIDUAL: "individual", Party.Kind.ORGANIZATION: "organization"}
CONTACT_ACTIONS = {"contact_medium.added", "contact_medium.changed", "contact_medium.removed"}
# The party's TMF attribute of each model field, for the event's title.
ATTRIBUTE_NAMES = {
    "title": "title",
    "given_name": "givenName",
    "family_name": "familyName",
    "birth_date": "birthDate",
    "national_id": "individualIdentification",
    "legal_name": "name",
    "trading_name": "tradingName",
    "registration_number": "organizationIdentification",
}


def _customer_change(event: CustomerEvent) -> tuple[str, list[str]] | None:
    """What a customer's change is for its party: (what, attributes changed), or None."""
    if event.action == "customer.created":
        # A customer made for a party that already existed (a TMF629 create naming the party)
        # is no new party: ``party_existed`` in the log's data says so.
        return None if event.data.get("party_existed") else (CREATE, [])
    if event.action == "customer.deleted":
        # Its party goes with it, unless it outlives its role.
        return None if event.data.get("party_kept") else (DELETE, [])
    if event.action in CONTACT_ACTIONS:
        return CHANGE, ["contactMedium"]
    if event.action == "customer.updated":
        changed = sorted({ATTRIBUTE_NAMES[name] for name in event.data if name in PARTY_FIELDS})
        if "given_name" in event.data or "family_name" in event.data:
            changed = sorted({*changed, "name"})
        return (CHANGE, changed) if changed else None
    if event.action == "customer.merged":
        # The merged customer's contact media moved to the survivor's party.
        return CHANGE, ["contactMedium"]
    return None


_PARTY_ACTIONS = {"party.created": CREATE, "party.changed": CHANGE, "party.deleted": DELETE}


def _party_change(event: PartyEvent) -> tuple[str, list[str]] | None:
    what = _PARTY_ACTIONS.get(event.action)
    if what is None:
        return None
    changed = []
    if what == CHANGE:
        changed = sorted({ATTRIBUTE_NAMES[name] for name in event.data if name in ATTRIBUTE_NAMES})
        if any(name.startswith("contact_media_") for name in event.data):
            changed.append("contactMedium")
    return what, changed


def _notices(items, hears) -> list[HubNotice]:
    """``items``: (party id, customer id, customer's partner id, what, changed). The parties
    are loaded once for the batch, as they are now; the partner whose hubs hear an event is
    the customer's, or else the one that registered the party."""
    if not items:
        return []
    loaded = parties_with_relations(Party.objects.filter(pk__in={item[0] for item in items}))
    loaded = {party.pk: party for party in loaded}
    notices = []
    for party_id, customer_id, customer_partner_id, what, changed in items:
        party = loaded.get(party_id)
        if party is None:
            continue
        partner_id = customer_partner_id or party.partner_id
        event_type = f"{TYPES[party.kind]}{what}Event"
        if not hears(event_type, partner_id):
            continue
        title = f"{event_type.removesuffix('Event')} {party_id}"
        if changed:
            title += f": {', '.join(changed)}"
        notices.append(
            HubNotice(
                api=API,
                event_type=event_type,
                title=title,
                resource_name=RESOURCE_NAMES[party.kind],
                resource=party_representation(party, partner_id=partner_id),
                partner_id=partner_id,
                customer_id=customer_id,
            )
        )
    return notices


def party_notices(events: list[CustomerEvent], hears) -> list[HubNotice]:
    """The TMF632 events of a batch of customer changes that some hub hears (``hears(
    event_type, partner_id)``), each with its party as it is now: one query for the batch."""
    items = []
    for event in events:
        found = _customer_change(event)
        if found is not None:
            customer = event.customer
            items.append((customer.party_id, customer.pk, customer.partner_id, *found))
    return _notices(items, hears)


def party_event_notices(events: list[PartyEvent], hears) -> list[HubNotice]:
    """The TMF632 events of changes to parties with no customer role."""
    items = []
    for event in events:
        found = _party_change(event)
        if found is not None:
            items.append((event.party.pk, None, None, *found))
    return _notices(items, hears)
