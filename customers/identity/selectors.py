"""Reads of the identity app."""

from customers.identity.models import DuplicateCandidate
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
