"""The customer's own details: contact addresses (a new one proven by a code), preferences
and consents. Each view reads its form, calls one portal service and answers."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from portal import auth, selectors, self_service, services, texts
from portal.auth import portal_customer_required
from portal.forms import AddressForm, CodeForm, ConsentForm, PreferencesForm
from portal.views.common import customer_page, see_other, see_other_with_notice

_CODE_MINUTES = int(services.CODE_LIFETIME.total_seconds() // 60)


def _words(request) -> dict:
    return texts.page_text(request.portal_language)


@require_safe
@portal_customer_required
def contact(request):
    return customer_page(
        request,
        "contact",
        section="contact",
        contact_media=selectors.customer_contact_media(request.portal_customer),
        changeable=self_service.CHANGEABLE_KINDS,
    )


def _contact_address(request, contact_medium):
    """Ask for the new address (replacing ``contact_medium``, else added) and send it a code."""
    words = _words(request)
    form = AddressForm(request.POST if request.method == "POST" else None, words=words)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                pending = self_service.contact_change_start(
                    customer=request.portal_customer,
                    address=form.cleaned_data["address"],
                    contact=contact_medium,
                )
            except self_service.ContactChangeRefused as refused:
                form.add_error("address", words[refused.reason])
            except services.CodeThrottled:
                form.add_error(None, words["code_throttled"])
                status = 429
            except services.CodeNotSent:
                form.add_error(None, words["send_failed"])
                status = 503
            else:
                request.session[auth.PENDING_CONTACT_KEY] = pending.as_session()
                return see_other("portal:contact_code")
    return customer_page(
        request,
        "contact_address",
        section="contact",
        form=form,
        contact_medium=contact_medium,
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@portal_customer_required
def contact_add(request):
    return _contact_address(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_customer_required
def contact_change(request, contact_id: int):
    medium = self_service.customer_contact(request.portal_customer, contact_id)
    return _contact_address(request, medium)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_customer_required
def contact_code(request):
    pending = self_service.PendingContact.from_session(
        request.session.get(auth.PENDING_CONTACT_KEY)
    )
    if pending is None:
        return redirect("portal:contact")
    words = _words(request)
    form = CodeForm(request.POST if request.method == "POST" else None, words=words)
    if form.is_bound and form.is_valid():
        try:
            self_service.contact_change_confirm(
                customer=request.portal_customer, pending=pending, code=form.cleaned_data["code"]
            )
        except services.CodeRefused:
            form.add_error("code", words["code_wrong"])
        except self_service.ContactChangeRefused as refused:
            # The code was right and is used: the address itself cannot be taken.
            request.session.pop(auth.PENDING_CONTACT_KEY, None)
            return customer_page(
                request,
                "contact",
                section="contact",
                contact_media=selectors.customer_contact_media(request.portal_customer),
                changeable=self_service.CHANGEABLE_KINDS,
                refusal=words[refused.reason],
                status=409,
            )
        else:
            request.session.pop(auth.PENDING_CONTACT_KEY, None)
            return see_other_with_notice(request, "contact_saved", "portal:contact")
    return customer_page(
        request,
        "contact_code",
        section="contact",
        form=form,
        pending=pending,
        sent=words["contact_code_sent"].format(minutes=_CODE_MINUTES),
        status=400 if form.is_bound else 200,
    )


def _preferences_initial(customer) -> dict:
    preferences = getattr(customer, "preferences", None)
    if preferences is None:
        return {}
    initial = {name: getattr(preferences, name) for name in PreferencesForm.base_fields}
    initial["language"] = texts.language_supported(preferences.language)
    return initial


@require_http_methods(["GET", "HEAD", "POST"])
@portal_customer_required
def preferences(request):
    customer, words = request.portal_customer, _words(request)
    if request.method != "POST":
        form = PreferencesForm(initial=_preferences_initial(customer), words=words)
        return customer_page(request, "preferences", section="preferences", form=form)
    form = PreferencesForm(request.POST, words=words)
    if form.is_valid():
        try:
            self_service.preferences_change(customer=customer, **form.cleaned_data)
        except ValidationError as error:
            for field in getattr(error, "error_dict", {None: None}):
                if field in ("contact_time_from", "contact_time_to"):
                    form.add_error(field, words["contact_window_invalid"])
                else:
                    form.add_error(field if field in form.fields else None, words["field_invalid"])
        else:
            auth.portal_language_set(request, form.cleaned_data["language"])
            return see_other_with_notice(request, "preferences_saved", "portal:preferences")
    return customer_page(request, "preferences", section="preferences", form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@portal_customer_required
def consents(request):
    status = 200
    if request.method == "POST":
        form = ConsentForm(request.POST, words=_words(request))
        if form.is_valid():
            data = form.cleaned_data
            self_service.consent_change(
                customer=request.portal_customer,
                channel=data["channel"],
                purpose=data["purpose"],
                granted=data["granted"] == "yes",
            )
            return see_other_with_notice(request, "consent_saved", "portal:consents")
        status = 400
    return customer_page(
        request,
        "consents",
        section="consents",
        rows=selectors.customer_consents(request.portal_customer),
        status=status,
    )
