"""Reads of the identity app."""

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from crm.counting import CountedPage, keyset_page_counted
from customers.identity.models import DuplicateCandidate, ImportJob
from customers.models import Interaction, Invoice, Subscription
from customers.selectors import customer_since


def duplicate_queue(*, limit: int = 100) -> list[DuplicateCandidate]:
    """Open pairs for review, the most certain first."""
    return list(
        DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
        .select_related("customer_low__party", "customer_high__party")
        .order_by("-score", "id")[:limit]
    )


def duplicate_comparison(*, candidate: DuplicateCandidate) -> dict:
    """Both customers side by side, with how much history each one carries."""
    sides = []
    for customer in (candidate.customer_low, candidate.customer_high):
        sides.append(
            {
                "customer": customer,
                "since": customer_since(customer),
                "contact_media": list(customer.party.contact_media.all()),
                "interactions": Interaction.objects.filter(customer=customer).count(),
                "subscriptions": Subscription.objects.filter(customer=customer).count(),
                "invoices": Invoice.objects.filter(customer=customer).count(),
            }
        )
    return {"sides": sides}


# Each sort is a keyset ending in the primary key: an import's id grows with its request time,
# so the id alone orders imports by when they were asked for, on the primary key's index.
IMPORT_SORTS = {"newest": ("-id",), "oldest": ("id",)}
IMPORT_SORT_LABELS = {"newest": "Newest first", "oldest": "Oldest first"}
IMPORT_PAGE_SIZE = 50


def import_list_queryset(*, status: str = "", kind: str = "", sort: str = "newest") -> QuerySet:
    """The imports the list's filters select, in no order (the page, the count and the export
    each order or count them their own way)."""
    if sort not in IMPORT_SORTS:
        raise ValidationError(f"Unknown sort '{sort}'.")
    jobs = ImportJob.objects.all()
    if status:
        jobs = jobs.filter(status=status)
    if kind:
        jobs = jobs.filter(kind=kind)
    return jobs


def import_list(
    *,
    sort: str = "newest",
    after: str = "",
    before: str = "",
    page_size: int = IMPORT_PAGE_SIZE,
    **filters,
) -> CountedPage:
    """One keyset page of imports with who uploaded each, and how many the filters select;
    raises ValidationError for a broken page link."""
    return keyset_page_counted(
        import_list_queryset(sort=sort, **filters).select_related("uploaded_by"),
        order=IMPORT_SORTS[sort],
        after=after,
        before=before,
        page_size=page_size,
    )
