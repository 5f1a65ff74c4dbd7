"""Reads of interactions for the staff pages that work them: the open ones, waiting longest
first, a keyset page at a time (served by the partial indexes on open interactions)."""

from crm.keyset import KeysetPage, keyset_page
from customers.models import Interaction
from customers.roles import staff_with_permission
from customers.services.interactions import OWNER_PERMISSION

PAGE_SIZE = 50
OPEN_ORDER = ("occurred_at", "id")
SHOW = ("mine", "unassigned", "all")


def open_interactions(
    *,
    show: str,
    user_id: int | None,
    kind: str = "",
    after: str = "",
    before: str = "",
    page_size: int | None = None,
) -> KeysetPage:
    """Open interactions (never resolved): the user's own, nobody's, or everyone's."""
    interactions = Interaction.objects.filter(closed_at__isnull=True)
    if show == "mine":
        interactions = interactions.filter(owner_id=user_id)
    elif show == "unassigned":
        interactions = interactions.filter(owner__isnull=True)
    if kind:
        interactions = interactions.filter(kind=kind)
    return keyset_page(
        interactions.select_related("customer__party", "owner", "staff"),
        order=OPEN_ORDER,
        after=after,
        before=before,
        page_size=page_size or PAGE_SIZE,
    )


def interaction_owners():
    """The staff an open interaction may be given to."""
    return staff_with_permission(OWNER_PERMISSION)
