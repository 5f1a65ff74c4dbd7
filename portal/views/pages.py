"""The customer's own data, to read: overview, products, invoices, payments, contacts."""

from django.views.decorators.http import require_safe

from portal import selectors
from portal.auth import portal_customer_required
from portal.views.common import customer_page, keyset


@require_safe
@portal_customer_required
def overview(request):
    return customer_page(
        request,
        "overview",
        section="overview",
        contact_media=selectors.customer_contact_media(request.portal_customer),
        preferences=getattr(request.portal_customer, "preferences", None),
    )


@require_safe
@portal_customer_required
def products(request):
    return customer_page(
        request,
        "products",
        section="products",
        subscriptions=selectors.customer_subscriptions(request.portal_customer),
    )


@require_safe
@portal_customer_required
def invoices(request):
    page, broken = keyset(request, selectors.customer_invoices_page)
    return customer_page(request, "invoices", section="invoices", page=page, link_broken=broken)


@require_safe
@portal_customer_required
def invoice_detail(request, invoice_id: int):
    invoice, payments = selectors.customer_invoice(request.portal_customer, invoice_id)
    return customer_page(request, "invoice", section="invoices", invoice=invoice, payments=payments)


@require_safe
@portal_customer_required
def payments(request):
    page, broken = keyset(request, selectors.customer_payments_page)
    return customer_page(request, "payments", section="payments", page=page, link_broken=broken)


@require_safe
@portal_customer_required
def interactions(request):
    open_ones, closed = selectors.customer_interactions(request.portal_customer)
    return customer_page(
        request,
        "interactions",
        section="interactions",
        open_interactions=open_ones,
        closed_interactions=closed,
    )


@require_safe
@portal_customer_required
def interaction_detail(request, interaction_id: int):
    interaction = selectors.customer_interaction(request.portal_customer, interaction_id)
    return customer_page(request, "interaction", section="interactions", interaction=interaction)
