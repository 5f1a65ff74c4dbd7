"""What every staff view of a customer starts with: the submitted data and the customer."""

from django.http import Http404

from customers import selectors
from customers.models import Customer


def posted(request):
    """The submitted data, or None for a GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def customer_or_404(number: str) -> Customer:
    try:
        return selectors.customer_get(number=number)
    except Customer.DoesNotExist:
        raise Http404(f"No customer {number}.") from None
