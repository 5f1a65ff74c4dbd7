"""Reads of TMF635: the usage summaries an API caller may see and asked for."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from customers.models import UsageSummary


@dataclass(frozen=True, kw_only=True)
class ApiUsageFilters:
    # Named so that its counts, kept in the per-partner cache of the customers' counts, never
    # share a key with theirs.
    resource: str = "usage"
    customer_number: str = ""
    product_code: str = ""
    month_from: date | None = None
    month_until: date | None = None


def usages_visible_to(*, partner) -> QuerySet:
    """The usage of a partner's own customers; everyone's for staff (``partner`` None)."""
    usages = UsageSummary.objects.all()
    return usages if partner is None else usages.filter(customer__partner=partner)


def api_usage_search(*, partner, filters: ApiUsageFilters) -> QuerySet:
    """Newest month first. One customer's list is usage_customer_month_idx alone; a partner's
    walks its customers (customer_partner_idx) into their months."""
    usages = usages_visible_to(partner=partner)
    if filters.customer_number:
        usages = usages.filter(customer__number=filters.customer_number)
    if filters.product_code:
        usages = usages.filter(product__code=filters.product_code)
    if filters.month_from:
        usages = usages.filter(month__gte=filters.month_from)
    if filters.month_until:
        usages = usages.filter(month__lte=filters.month_until)
    return usages.order_by("-month", "-id")
