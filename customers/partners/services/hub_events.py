"""The hub's outbox: events written with the change they report, one delivery per hub.

An event is written (with one delivery row per interested hub) in the same transaction as the
change it reports, so it exists exactly when the change does; sending happens after commit
(``customers.partners.services.hub``). Each API says which changes make which of its events
(``customers.partners.api.events``); this module only decides who hears them and writes them.
"""

import uuid

from django.db.models import Q
from django.utils import timezone

from customers.events import CustomerEvent
from customers.models import Partner
from customers.partners.api.events import NOTICE_BUILDERS
from customers.partners.models import HubDelivery, HubEvent, HubSubscription
from customers.partners.notices import HubNotice
from customers.partners.services.hub import deliveries_send_after_commit


def _live_hubs() -> list[HubSubscription]:
    """Hubs still subscribed: staff's, and those of partners while approved."""
    return list(
        HubSubscription.objects.filter(deleted_at=None).filter(
            Q(partner=None) | Q(partner__status=Partner.Status.APPROVED)
        )
    )


def _hearing(hubs: list[HubSubscription], api: str, event_type: str, partner_id) -> list:
    """The hubs of ``api`` that may hear this event: staff's, and its own partner's."""
    return [
        hub
        for hub in hubs
        if hub.api == api
        and hub.partner_id in (None, partner_id)
        and (not hub.event_types or event_type in hub.event_types)
    ]


def event_envelope(*, notice: HubNotice, event_id: uuid.UUID) -> dict:
    """The TMF envelope of an event."""
    now = timezone.now().isoformat().replace("+00:00", "Z")
    return {
        "@type": notice.event_type,
        "id": str(event_id),
        "eventId": str(event_id),
        "eventType": notice.event_type,
        "eventTime": now,
        "timeOccurred": now,
        "domain": notice.api,
        "title": notice.title,
        "event": {notice.resource_name: notice.resource},
    }


def hub_notices_record(notices: list[HubNotice], hubs: list[HubSubscription] | None = None):
    """Write these events and a delivery to each hub that hears one, inside the transaction
    of the change; the sends are handed over after commit. Two inserts for the whole batch."""
    if not notices:
        return []
    hubs = _live_hubs() if hubs is None else hubs
    records, deliveries = [], []
    for notice in notices:
        hearing = _hearing(hubs, notice.api, notice.event_type, notice.partner_id)
        if not hearing:
            continue
        event_id = uuid.uuid4()
        record = HubEvent(
            event_id=event_id,
            api=notice.api,
            event_type=notice.event_type,
            customer_id=notice.customer_id,
            partner_id=notice.partner_id,
            payload=event_envelope(notice=notice, event_id=event_id),
        )
        records.append(record)
        deliveries.extend(HubDelivery(event=record, subscription=hub) for hub in hearing)
    HubEvent.objects.bulk_create(records, batch_size=1000)
    HubDelivery.objects.bulk_create(deliveries, batch_size=2000)
    deliveries_send_after_commit([delivery.pk for delivery in deliveries])
    return records


def hub_events_record(*, events: list[CustomerEvent]) -> list[HubEvent]:
    """The hub events of a batch of changes, for every API with a hub that hears them.

    A fixed number of queries per batch: the live hubs, what each API loads to render its
    resources (only when one of its hubs hears), and two inserts.
    """
    hubs = _live_hubs()
    if not hubs:
        return []
    notices = []
    for api, build in NOTICE_BUILDERS.items():
        api_hubs = [hub for hub in hubs if hub.api == api]
        if not api_hubs:
            continue

        def hears(event_type, partner_id, api_hubs=api_hubs, api=api) -> bool:
            return bool(_hearing(api_hubs, api, event_type, partner_id))

        notices += build(events, hears)
    return hub_notices_record(notices, hubs)
