"""Sign-in by a one-time code, and signing out."""

from django.shortcuts import redirect
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from portal import auth, services, texts
from portal.auth import portal_page
from portal.forms import AddressForm, CodeForm
from portal.views.common import render_page, see_other

_CODE_MINUTES = int(services.CODE_LIFETIME.total_seconds() // 60)


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
                return render_page(request, "sign_in", language=language, form=form, status=503)
            # Whatever happened, the next page says the same: a code was sent if we know you.
            auth.portal_code_pending(request, address.digest)
            return see_other("portal:sign_in_code")
        return render_page(
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
                return see_other("portal:overview")
        return render_page(
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
    return see_other("portal:sign_in")
