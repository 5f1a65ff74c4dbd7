"""TMF644 privacy agreement events: a consent's first answer is a create, a changed answer a
status change, the same answer given again (a new date of authorisation) an attribute change."""

from customers.events import CustomerEvent
from customers.models import Consent
from customers.partners.api.privacy.representation import (
    agreement_representation,
    consents_with_relations,
)
from customers.partners.models import HubSubscription
from customers.partners.notices import HubNotice

API = HubSubscription.Api.PRIVACY
CREATE, CHANGE, STATUS_CHANGE, DELETE = (
    "PartyPrivacyAgreementCreateEvent",
    "PartyPrivacyAgreementAttributeValueChangeEvent",
    "PartyPrivacyAgreementStatusChangeEvent",
    "PartyPrivacyAgreementDeleteEvent",
)
EVENT_TYPES = (CREATE, CHANGE, STATUS_CHANGE)
ACTIONS = ("consent.granted", "consent.withdrawn")


def _event_type(event: CustomerEvent) -> tuple[str, list[str]]:
    previous = event.data.get("previous")
    if previous is None:
        return CREATE, []
    if previous != (event.action == "consent.granted"):
        return STATUS_CHANGE, ["status"]
    return CHANGE, ["agreementAuthorization"]


def privacy_notices(events: list[CustomerEvent], hears) -> list[HubNotice]:
    """The TMF644 events of a batch of changes that some hub hears, each with its agreement as
    it is now: one query for the whole batch."""
    wanted = [
        (event, *_event_type(event))
        for event in events
        if event.action in ACTIONS and event.data.get("consent")
    ]
    wanted = [
        (event, event_type, changed)
        for event, event_type, changed in wanted
        if hears(event_type, event.customer.partner_id)
    ]
    if not wanted:
        return []
    loaded = consents_with_relations(
        Consent.objects.filter(pk__in={event.data["consent"] for event, _, _ in wanted})
    ).in_bulk()
    notices = []
    for event, event_type, changed in wanted:
        consent = loaded.get(event.data["consent"])
        if consent is None:
            continue
        title = f"{event_type.removesuffix('Event')} {consent.pk}"
        if changed:
            title += f": {', '.join(changed)}"
        notices.append(
            HubNotice(
                api=API,
                event_type=event_type,
                title=title,
                resource_name="partyPrivacyAgreement",
                resource=agreement_representation(consent),
                partner_id=event.customer.partner_id,
                customer_id=event.customer.pk,
            )
        )
    return notices
