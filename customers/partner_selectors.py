"""Reads for the partner pages: the partner list, one partner's page and the delivery log."""

import json
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from crm.keyset import KeysetPage, keyset_page
from customers.models import ActionLog, ApiToken, Customer, HubDelivery, HubSubscription, Partner

PARTNER_SORTS = {"newest": ("-created_at", "-id"), "name": ("name",)}
PARTNER_PAGE_SIZE = 100
PARTNER_ACTIVITY_LIMIT = 30
DELIVERY_PAGE_SIZE = 50
# Only these can be sent again: a pending one is already on its way, a cancelled one's hub is gone.
REPLAYABLE_STATUSES = frozenset({HubDelivery.Status.DEAD, HubDelivery.Status.DELIVERED})


def _customer_count() -> Subquery:
    """Customers of the partner in the outer query; merged-away records are not customers."""
    counts = (
        Customer.objects.filter(partner=OuterRef("pk"))
        .exclude(status=Customer.Status.MERGED)
        .order_by()
        .values("partner")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class PartnerPage:
    rows: list[Partner]
    has_more: bool


def partner_list(*, q: str = "", status: str = "", sort: str = "newest") -> PartnerPage:
    """Partners with their customer count, in one query; ``has_more`` when the page is full."""
    partners = Partner.objects.annotate(customer_count=_customer_count())
    if q.strip():
        partners = partners.filter(name__icontains=q.strip())
    if status:
        partners = partners.filter(status=status)
    partners = partners.order_by(*PARTNER_SORTS.get(sort, PARTNER_SORTS["newest"]))
    rows = list(partners[: PARTNER_PAGE_SIZE + 1])
    return PartnerPage(rows=rows[:PARTNER_PAGE_SIZE], has_more=len(rows) > PARTNER_PAGE_SIZE)


def partner_get(*, partner_id: int) -> Partner:
    return Partner.objects.annotate(customer_count=_customer_count()).get(pk=partner_id)


def partner_page(*, partner: Partner) -> dict:
    """What the partner's page shows besides the partner itself."""
    tokens = ApiToken.objects.filter(partner=partner).select_related("created_by", "revoked_by")
    hubs = HubSubscription.objects.filter(partner=partner).select_related("created_by")
    activity = ActionLog.objects.filter(partner=partner).select_related("actor", "customer")[
        :PARTNER_ACTIVITY_LIMIT
    ]
    return {"tokens": list(tokens), "hubs": list(hubs), "activity": list(activity)}


DELIVERY_ORDER = ("-id",)


def hub_delivery_log(
    *,
    status: str = "",
    partner_id: int | None = None,
    after: str = "",
    before: str = "",
    page_size: int = DELIVERY_PAGE_SIZE,
) -> KeysetPage:
    """Deliveries newest first, a keyset page at a time; raises ValidationError for a broken
    page link."""
    deliveries = HubDelivery.objects.select_related("event", "subscription__partner").defer(
        "event__payload", "subscription__secret"
    )
    if status:
        deliveries = deliveries.filter(status=status)
    if partner_id:
        deliveries = deliveries.filter(subscription__partner_id=partner_id)
    page = keyset_page(
        deliveries, order=DELIVERY_ORDER, after=after, before=before, page_size=page_size
    )
    for row in page.rows:
        row.replayable = hub_delivery_replayable(row)
    return page


def hub_delivery_get(*, delivery_id: int) -> HubDelivery:
    return HubDelivery.objects.select_related("event", "subscription__partner").get(pk=delivery_id)


def hub_delivery_payload(delivery: HubDelivery) -> str:
    return json.dumps(delivery.event.payload, indent=2, ensure_ascii=False, sort_keys=True)


def hub_delivery_replayable(delivery: HubDelivery) -> bool:
    return delivery.status in REPLAYABLE_STATUSES and delivery.subscription.deleted_at is None
