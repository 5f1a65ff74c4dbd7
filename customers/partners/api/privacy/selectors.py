"""Reads of TMF644: the consents an API caller may see and asked for."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from customers.models import Consent


@dataclass(frozen=True, kw_only=True)
class ApiAgreementFilters:
    # Named so that its counts, kept in the same per-partner cache as the customers' counts,
    # never share a key with theirs.
    resource: str = "partyPrivacyAgreement"
    customer_number: str = ""
    granted: tuple[bool, ...] = ()
    purposes: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    recorded_after: datetime | None = None
    recorded_from: datetime | None = None
    recorded_before: datetime | None = None
    recorded_until: datetime | None = None


def consents_visible_to(*, partner) -> QuerySet:
    """The consents of a partner's own customers; everyone's for staff (``partner`` None)."""
    consents = Consent.objects.all()
    return consents if partner is None else consents.filter(customer__partner=partner)


def api_agreement_search(*, partner, filters: ApiAgreementFilters) -> QuerySet:
    """Newest first by id (a consent keeps its row when its answer changes). A partner's list
    walks its customers (customer_partner_idx) into their consents (the unique
    customer/channel/purpose index), or, for a partner holding much of the base, the consents'
    primary key backwards keeping its customers' rows; one customer's list is the unique index
    alone."""
    consents = consents_visible_to(partner=partner)
    if filters.customer_number:
        consents = consents.filter(customer__number=filters.customer_number)
    if len(set(filters.granted)) == 1:
        consents = consents.filter(granted=filters.granted[0])
    if filters.purposes:
        consents = consents.filter(purpose__in=filters.purposes)
    if filters.channels:
        consents = consents.filter(channel__in=filters.channels)
    if filters.recorded_after:
        consents = consents.filter(recorded_at__gt=filters.recorded_after)
    if filters.recorded_from:
        consents = consents.filter(recorded_at__gte=filters.recorded_from)
    if filters.recorded_before:
        consents = consents.filter(recorded_at__lt=filters.recorded_before)
    if filters.recorded_until:
        consents = consents.filter(recorded_at__lte=filters.recorded_until)
    return consents.order_by("-id")
