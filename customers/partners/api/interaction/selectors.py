"""Reads of TMF683: the interactions an API caller may see and asked for."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from customers.models import Interaction


@dataclass(frozen=True, kw_only=True)
class ApiInteractionFilters:
    # Named so that its counts, kept in the same per-partner cache as the customers' counts,
    # never share a key with theirs.
    resource: str = "partyInteraction"
    customer_number: str = ""
    outcomes: tuple[str, ...] = ()
    direction: str = ""
    kinds: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    occurred_after: datetime | None = None
    occurred_from: datetime | None = None
    occurred_before: datetime | None = None
    occurred_until: datetime | None = None


def interactions_visible_to(*, partner) -> QuerySet:
    """The interactions of a partner's own customers; everyone's for staff (``partner`` None)."""
    interactions = Interaction.objects.all()
    return interactions if partner is None else interactions.filter(customer__partner=partner)


def api_interaction_search(*, partner, filters: ApiInteractionFilters) -> QuerySet:
    """Newest first. A partner's list walks its customers (customer_partner_idx) into their
    interactions (interaction_customer_idx), or, for a partner holding much of the base, all
    interactions newest first (interaction_recent_idx) keeping its customers' rows; one
    customer's list is interaction_customer_idx alone."""
    interactions = interactions_visible_to(partner=partner)
    if filters.customer_number:
        interactions = interactions.filter(customer__number=filters.customer_number)
    if filters.outcomes:
        interactions = interactions.filter(outcome__in=filters.outcomes)
    if filters.direction:
        interactions = interactions.filter(direction=filters.direction)
    if filters.kinds:
        interactions = interactions.filter(kind__in=filters.kinds)
    if filters.channels:
        interactions = interactions.filter(channel__in=filters.channels)
    if filters.occurred_after:
        interactions = interactions.filter(occurred_at__gt=filters.occurred_after)
    if filters.occurred_from:
        interactions = interactions.filter(occurred_at__gte=filters.occurred_from)
    if filters.occurred_before:
        interactions = interactions.filter(occurred_at__lt=filters.occurred_before)
    if filters.occurred_until:
        interactions = interactions.filter(occurred_at__lte=filters.occurred_until)
    return interactions.order_by("-occurred_at", "-id")
