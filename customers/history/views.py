from django.contrib.auth.decorators import login_required, permission_required

from crm.lists import PagedFilterForm, list_page
from customers.views.common import customer_or_404

from . import selectors


@login_required
@permission_required("history.view_field_history", raise_exception=True)
def customer_history_page(request, number):
    """Every recorded change to one customer's data, newest first, a page at a time."""
    customer = customer_or_404(number)
    return list_page(
        request,
        "history/customer.html",
        form=PagedFilterForm(request.GET or None),
        page_of=lambda filters, **cursor: selectors.customer_history(customer=customer, **cursor),
        context={"customer": customer, "recorded": selectors.history_recorded()},
    )
