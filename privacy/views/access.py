"""Who looked at a customer: the full access log, a page at a time."""

from django.contrib.auth.decorators import login_required, permission_required
from django.views.decorators.http import require_GET

from crm.lists import list_page
from customers.views.common import customer_or_404

from .. import access
from ..forms import AccessLogFilterForm


@login_required
@permission_required("privacy.view_accesslogentry", raise_exception=True)
@require_GET
def access_log(request, number):
    customer = customer_or_404(number)
    return list_page(
        request,
        "privacy/access_log.html",
        form=AccessLogFilterForm(request.GET or None),
        page_of=lambda filters, **cursor: access.access_page(
            customer_id=customer.pk, what=filters.get("what", ""), **cursor
        ),
        context={"customer": customer},
    )
