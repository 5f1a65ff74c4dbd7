"""Reads for the campaign pages and the customer page's campaign panel."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from crm.counting import CountedPage, keyset_page_counted
from customers.models import Customer

from .models import Campaign, CampaignMember

# Each sort is a keyset ending in the id, served by an index of Campaign.Meta.
CAMPAIGN_SORTS = {"newest": ("-created_at", "-id"), "oldest": ("created_at", "id")}
CAMPAIGN_SORT_LABELS = {"newest": "Newest first", "oldest": "Oldest first"}
CAMPAIGN_PAGE_SIZE = 50
MEMBER_PAGE_SIZE = 50
MEMBER_ORDER = ("id",)


def campaign_list_queryset(*, q: str = "", status: str = "", sort: str = "newest") -> QuerySet:
    """The campaigns the list's filters select, in no order. The name search reads every
    campaign's name: there are dozens of campaigns a year, not millions."""
    if sort not in CAMPAIGN_SORTS:
        raise ValidationError(f"Unknown sort '{sort}'.")
    campaigns = Campaign.objects.select_related("created_by")
    if q.strip():
        campaigns = campaigns.filter(name__icontains=q.strip())
    if status:
        campaigns = campaigns.filter(status=status)
    return campaigns


def campaign_list(
    *, sort: str = "newest", after: str = "", before: str = "", **filters
) -> CountedPage:
    return keyset_page_counted(
        campaign_list_queryset(sort=sort, **filters),
        order=CAMPAIGN_SORTS[sort],
        after=after,
        before=before,
        page_size=CAMPAIGN_PAGE_SIZE,
    )


def campaign_members(
    *, campaign: Campaign, group: str = "", outcome: str = "", after: str = "", before: str = ""
) -> CountedPage:
    """One page of the campaign's members with their customer, in member order."""
    members = CampaignMember.objects.filter(campaign=campaign).select_related(
        "customer__party", "outcome_by"
    )
    if group:
        members = members.filter(group=group)
    if outcome == "none":
        members = members.filter(outcome="")
    elif outcome:
        members = members.filter(outcome=outcome)
    return keyset_page_counted(
        members, order=MEMBER_ORDER, after=after, before=before, page_size=MEMBER_PAGE_SIZE
    )


def member_get(*, member_id: int) -> CampaignMember:
    return CampaignMember.objects.select_related("campaign", "customer__party").get(pk=member_id)


def customer_campaigns_panel(customer: Customer) -> dict:
    """The customer's running campaigns, for the panel on the customer page: one query."""
    memberships = (
        CampaignMember.objects.filter(customer=customer, in_running_campaign=True)
        .select_related("campaign", "outcome_by")
        .order_by("-id")
    )
    return {"memberships": list(memberships), "outcomes": CampaignMember.Outcome.choices}
