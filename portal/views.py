"""The customer portal's pages: sign-in by one-time code, then the customer's own data.

Views read the form, call one service or selector and render; the rules are in
portal.services (sign-in), portal.selectors (what a customer may see) and portal.auth (the
session). Every page speaks the customer's language (the browser's before sign-in).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal import auth, selectors, services, texts
from portal.auth import portal_customer_required, portal_page
from portal.forms import AddressForm, CodeForm

_CODE_MINUTES = int(services.CODE_LIFETIME.total_seconds() // 60)


def _render(request, template: str, *, language: str, status: int = 200, **context):
    words = texts.page_text(language)
    context = {"language": language, "words": words, **context}
    return render(request, f"portal/{template}.html", context, status=status)


def _customer_page(request, template: str, *, section: str, **context):
    return _render(
        request,
        template,
        language=request.portal_language,
        customer=request.portal_customer,
        section=section,
        **context,
    )


def _see_other(to: str, **kwargs):
    response = redirect(to, **kwargs)
    response.status_code = 303  # the browser follows a form's answer with a GET
    return response


# --- Sign-in ----------------------------------------------------------------------------------


@portal_page
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request):
    if request.session.get(auth.CUSTOMER_KEY) is not None:
        return redirect("portal:overview")
    language = auth.portal_language(request)
    words = texts.page_text(language)
    notice = request.session.pop(auth.NOTICE_KEY, "")
    with translation.override(language):
        form = AddressForm(request.POST if request.method == "POST" else None, words=words)
        if form.is_bound and form.is_valid():
            address = form.cleaned_data["address"]
            try:
                services.sign_in_code_request(address=address, ip_address=auth.client_ip(request))
            except services.CodeNotSent:
                form.add_error(None, words["send_failed"])
                return _render(request, "sign_in", language=language, form=form, status=503)
            # Whatever happened, the next page says the same: a code was sent if we know you.
            auth.portal_code_pending(request, address.digest)
            return _see_other("portal:sign_in_code")
        return _render(
            request,
            "sign_in",
            language=language,
            form=form,
            notice=words.get(notice, ""),
            status=400 if form.is_bound else 200,
        )


@portal_page
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in_code(request):
    address_digest = request.session.get(auth.PENDING_ADDRESS_KEY)
    if not address_digest:
        request.session[auth.NOTICE_KEY] = "start_again"
        return redirect("portal:sign_in")
    language = auth.portal_language(request)
    words = texts.page_text(language)
    with translation.override(language):
        form = CodeForm(request.POST if request.method == "POST" else None, words=words)
        if form.is_bound and form.is_valid():
            try:
                customer = services.sign_in_code_verify(
                    address_digest=address_digest,
                    code=form.cleaned_data["code"],
                    ip_address=auth.client_ip(request),
                )
            except services.CodeRefused:
                form.add_error("code", words["code_wrong"])
            else:
                auth.portal_sign_in(request, customer)
                return _see_other("portal:overview")
        return _render(
            request,
            "sign_in_code",
            language=language,
            form=form,
            sent=words["code_sent"].format(minutes=_CODE_MINUTES),
            status=400 if form.is_bound else 200,
        )


@portal_page
@require_POST
def sign_out(request):
    customer_id = request.session.get(auth.CUSTOMER_KEY)
    if customer_id is not None:
        services.sign_out_record(customer_id=customer_id, ip_address=auth.client_ip(request))
    auth.portal_sign_out(request, notice="signed_out")
    return _see_other("portal:sign_in")


# --- The customer's pages ---------------------------------------------------------------------


@require_safe
@portal_customer_required
def overview(request):
    return _customer_page(
        request,
        "overview",
        section="overview",
        contact_media=selectors.customer_contact_media(request.portal_customer),
        preferences=getattr(request.portal_customer, "preferences", None),
    )


@require_safe
@portal_customer_required
def products(request):
    return _customer_page(
        request,
        "products",
        section="products",
        subscriptions=selectors.customer_subscriptions(request.portal_customer),
    )


def _keyset(request, select):
    """A page of a keyset-paged list, and whether the link asked for was broken (the first
    page is shown then)."""
    try:
        return select(
            request.portal_customer,
            after=request.GET.get("after", ""),
            before=request.GET.get("before", ""),
        ), False
    except ValidationError:
        return select(request.portal_customer), True


@require_safe
@portal_customer_required
def invoices(request):
    page, broken = _keyset(request, selectors.customer_invoices_page)
    return _customer_page(request, "invoices", section="invoices", page=page, link_broken=broken)


@require_safe
@portal_customer_required
def invoice_detail(request, invoice_id: int):
    invoice, payments = selectors.customer_invoice(request.portal_customer, invoice_id)
    return _customer_page(
        request, "invoice", section="invoices", invoice=invoice, payments=payments
    )


@require_safe
@portal_customer_required
def payments(request):
    page, broken = _keyset(request, selectors.customer_payments_page)
    return _customer_page(request, "payments", section="payments", page=page, link_broken=broken)


@require_safe
@portal_customer_required
def interactions(request):
    open_ones, closed = selectors.customer_interactions(request.portal_customer)
    return _customer_page(
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
    return _customer_page(request, "interaction", section="interactions", interaction=interaction)
