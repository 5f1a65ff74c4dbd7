"""Reads for the partner pages: the partner list, one partner's page and the delivery log."""

import json
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from crm.counting import CountedPage, page_counted
from crm.keyset import KeysetPage, keyset_page
from crm.sealed import lookup_digest
from customers.models import ActionLog, ContactMedium, Customer, Partner, Party
from customers.normalization import name_key, national_id_normalise, normalize_phone
from customers.partners.models import ApiToken, HubDelivery, HubSubscription

# Each sort is a keyset ending in a unique column, with an index that serves it alone and under
# the status filter (Partner.Meta.indexes; the name's unique index).
PARTNER_SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "name": ("name",),
}
PARTNER_SORT_LABELS = {
    "newest": "Newest application first",
    "oldest": "Oldest application first",
    "name": "By name",
}
PARTNER_PAGE_SIZE = 50
PARTNER_ACTIVITY_LIMIT = 30
DELIVERY_PAGE_SIZE = 50
# Only these can be sent again: a pending one is already on its way, a cancelled one's hub is gone.
REPLAYABLE_STATUSES = frozenset({HubDelivery.Status.DEAD, HubDelivery.Status.DELIVERED})


def partner_customer_count() -> Subquery:
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


def partner_list_queryset(*, q: str = "", status: str = "", sort: str = "newest") -> QuerySet:
    """The partners the list's filters select, in no order (the page, the count and the
    export each order or count them their own way). The name search reads every partner's
    name: there are hundreds of partners, not millions."""
    if sort not in PARTNER_SORTS:
        raise ValidationError(f"Unknown sort '{sort}'.")
    partners = Partner.objects.all()
    if q.strip():
        partners = partners.filter(name__icontains=q.strip())
    if status:
        partners = partners.filter(status=status)
    return partners


def partner_list(
    *,
    sort: str = "newest",
    after: str = "",
    before: str = "",
    page_size: int = PARTNER_PAGE_SIZE,
    **filters,
) -> CountedPage:
    """One keyset page of partners with their customer count, in one query, and how many the
    filters select; raises ValidationError for a broken page link."""
    partners = partner_list_queryset(sort=sort, **filters)
    page = keyset_page(
        partners.annotate(customer_count=partner_customer_count()),
        order=PARTNER_SORTS[sort],
        after=after,
        before=before,
        page_size=page_size,
    )
    # Counted without the customer counts: they change no row's presence.
    return CountedPage(
        rows=page.rows,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        count=page_counted(partners, page),
    )


def partner_get(*, partner_id: int) -> Partner:
    return Partner.objects.annotate(customer_count=partner_customer_count()).get(pk=partner_id)


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


def customers_visible_to(*, partner) -> QuerySet:
    """A partner's own customers; every customer for staff (``partner`` None)."""
    customers = Customer.objects.all()
    return customers if partner is None else customers.filter(partner=partner)


def _visible_among(parties: QuerySet, partner) -> QuerySet:
    """Of ``parties``, those ``partner`` registered or whose customer is the partner's: the
    union of two index scans (party_partner_idx, customer_partner_idx). An OR across the
    customer join would walk every party instead."""
    if partner is None:
        return parties
    own = parties.filter(partner=partner).order_by().values("pk")
    of_customers = parties.filter(customer__partner=partner).order_by().values("pk")
    return Party.objects.filter(pk__in=own.union(of_customers))


def parties_visible_to(*, partner) -> QuerySet:
    """The parties a partner may see and use: those it registered (TMF632) and those of its own
    customers; every party for staff (``partner`` None). For one party by id, ``party_visible``
    is cheaper: it reads that row only."""
    return _visible_among(Party.objects.all(), partner)


def party_visible(*, partner, party_id: int, kind: str | None = None) -> Party | None:
    """One party by id if ``partner`` may see it (None otherwise, as if it did not exist)."""
    parties = Party.objects.filter(pk=party_id)
    if kind is not None:
        parties = parties.filter(kind=kind)
    if partner is not None:
        parties = parties.filter(Q(partner=partner) | Q(customer__partner=partner))
    return parties.first()


@dataclass(frozen=True, kw_only=True)
class ApiPartyFilters:
    kind: str = Party.Kind.INDIVIDUAL
    given_name: str = ""
    family_name: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    identification: str = ""


def _parties_matching(filters: ApiPartyFilters) -> QuerySet:
    """Parties of the filters' kind that match them, whoever may see them; each filter has an
    index behind it."""
    parties = Party.objects.filter(kind=filters.kind)
    if filters.given_name:
        # A person's display name starts with the given name: the name index finds them.
        parties = parties.filter(
            name_key__startswith=name_key(filters.given_name),
            given_name__iexact=filters.given_name.strip(),
        )
    if filters.family_name:
        parties = parties.filter(family_name_key=name_key(filters.family_name))
    if filters.name:
        key = name_key(filters.name)
        parties = parties.filter(Q(name_key__startswith=key) | Q(sort_key__startswith=key))
    if filters.identification:
        parties = parties.filter(
            national_id_digest=lookup_digest(national_id_normalise(filters.identification))
        )
    if filters.email:
        contacts = ContactMedium.objects.filter(
            kind=ContactMedium.Kind.EMAIL, value=filters.email.strip().lower()
        )
        parties = parties.filter(pk__in=contacts.values("party_id"))
    if filters.phone:
        try:
            e164 = normalize_phone(filters.phone)
        except ValidationError:
            return parties.none()
        contacts = ContactMedium.objects.filter(
            kind__in=[ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE], value=e164
        )
        parties = parties.filter(pk__in=contacts.values("party_id"))
    return parties


def api_party_page(
    *, partner, filters: ApiPartyFilters, offset: int, limit: int
) -> tuple[list[int], int]:
    """The ids of one page of the parties an API caller asked for, newest first, and how many
    match in all.

    A partner's parties are two sets: those it registered and those of its customers. Each is
    read newest first on its own index (party_partner_idx; customer_partner_party_idx), only as
    far as the page reaches, and the two are merged here: a union of the whole sets would read
    every one of a big partner's parties for a page of fifty.
    """
    parties = _parties_matching(filters)
    if partner is None:
        visible = parties
    else:
        # Counted as the union itself: an IN over it would read the matching parties again.
        own = parties.filter(partner=partner).order_by().values("pk")
        visible = own.union(parties.filter(customer__partner=partner).order_by().values("pk"))
    total = api_customer_count(partner=partner, filters=filters, customers=visible)
    reach = offset + limit
    if partner is None:
        ids = list(parties.order_by("-id").values_list("pk", flat=True)[offset:reach])
        return ids, total
    own = parties.filter(partner=partner).order_by("-id").values_list("pk", flat=True)[:reach]
    of_customers = (
        parties.filter(customer__partner=partner)
        .order_by("-id")
        .values_list("pk", flat=True)[:reach]
    )
    merged = sorted({*own, *of_customers}, reverse=True)
    return merged[offset:reach], total


@dataclass(frozen=True, kw_only=True)
class ApiCustomerFilters:
    statuses: tuple[str, ...] = ()
    name: str = ""
    segment: str = ""
    email: str = ""
    phone: str = ""
    external_ref: str = ""


NAME_MATCHES_LOOKED_UP = 5000


def _party_among(party_ids: list[int]):
    """``party_id`` in the list, as one array parameter on PostgreSQL: thousands of ids bound
    one by one cost more to send than the query costs to run."""
    if connection.vendor == "postgresql":
        return RawSQL(
            '"customers_customer"."party_id" = ANY(%s)', (party_ids,), output_field=BooleanField()
        )
    return Q(party_id__in=party_ids)


def api_customer_search(*, partner, filters: ApiCustomerFilters) -> QuerySet:
    """The customers an API caller asked for, newest first. Each filter has an index behind it."""
    customers = customers_visible_to(partner=partner)
    if filters.statuses:
        customers = customers.filter(status__in=filters.statuses)
    if filters.segment:
        customers = customers.filter(segment=filters.segment)
    if filters.external_ref:
        # A partner's reference is its own; staff also find the id of the system it came from.
        reference = Q(partner_reference=filters.external_ref)
        if partner is None:
            reference |= Q(external_ref=filters.external_ref)
        customers = customers.filter(reference)
    if filters.name:
        key = name_key(filters.name)
        named = Party.objects.filter(Q(name_key__startswith=key) | Q(sort_key__startswith=key))
        # A name is rare among a million: find its parties on the name indexes first, so the
        # planner need not walk a big partner's customers checking each one's name. A prefix
        # so short that it matches very many stays a join.
        party_ids = list(named.values_list("id", flat=True)[: NAME_MATCHES_LOOKED_UP + 1])
        if len(party_ids) <= NAME_MATCHES_LOOKED_UP:
            customers = customers.filter(_party_among(party_ids))
        else:
            customers = customers.filter(party_id__in=named.values("id"))
    if filters.email:
        contacts = ContactMedium.objects.filter(
            kind=ContactMedium.Kind.EMAIL, value=filters.email.strip().lower()
        )
        customers = customers.filter(party_id__in=contacts.values("party_id"))
    if filters.phone:
        try:
            e164 = normalize_phone(filters.phone)
        except ValidationError:
            return customers.none()
        contacts = ContactMedium.objects.filter(
            kind__in=[ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE], value=e164
        )
        customers = customers.filter(party_id__in=contacts.values("party_id"))
    return customers.order_by("-id")


# Counting a big partner's customers costs more than the page itself. Counts are kept in the
# cache per partner and filter set, until a change to one of that partner's customers (each
# change bumps the partner's generation) or at most COUNT_CACHE_SECONDS for bulk jobs, which
# send no events.
COUNT_CACHE_SECONDS = 60


def _count_generation_key(partner_id) -> str:
    return f"api-count-generation:{partner_id or 'all'}"


def api_customer_count(*, partner, filters, customers: QuerySet) -> int:
    """How many rows of an API list match ``filters`` (a frozen dataclass of one list's
    filters), counted once per change to the partner's customers or parties."""
    partner_id = getattr(partner, "pk", None)
    generation = cache.get(_count_generation_key(partner_id), 0)
    kind = type(filters).__name__
    key = f"api-count:{partner_id or 'all'}:{generation}:{kind}:{hash(filters)}"
    count = cache.get(key)
    if count is None:
        count = customers.count()
        cache.set(key, count, COUNT_CACHE_SECONDS)
    return count


def api_customer_counts_invalidate(*, partner_id) -> None:
    """A customer of this partner changed: its counts, and the counts staff see, are stale."""
    for owner in {partner_id, None}:
        key = _count_generation_key(owner)
        if not cache.add(key, 1, None):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, None)
