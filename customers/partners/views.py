"""Staff pages for partners: on-boarding, API tokens, hubs and the event delivery log."""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.lists import list_page
from crm.savedviews.services import saved_views_context
from crm.sealed import seal, unseal
from crm.sorting import SortColumn, sort_headers
from customers.forms import apply_service_error
from customers.models import Partner
from customers.partners import selectors
from customers.partners.exports import PARTNERS
from customers.partners.forms import (
    DeliveryFilterForm,
    PartnerApplicationForm,
    PartnerFilterForm,
    PartnerForm,
    PartnerTransitionForm,
    TokenIssueForm,
    TokenRotateForm,
)
from customers.partners.models import ApiToken, HubDelivery, HubSubscription
from customers.partners.services import hub, partners


def _posted(request):
    """The submitted data, or None for a GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _partner_or_404(partner_id: int) -> Partner:
    try:
        return selectors.partner_get(partner_id=partner_id)
    except Partner.DoesNotExist:
        raise Http404(f"No partner {partner_id}.") from None


def _partner_url(partner: Partner) -> str:
    return reverse("partners:detail", args=[partner.pk])


# A new secret (a token, a hub's signing secret) waits in the session for the page the POST
# redirects to, which shows it and drops it. Reloading that page then says the secret was
# shown: it neither sends the POST again (a second token, another rotation) nor shows the
# secret twice. A secret whose page was never opened is not shown after this long, and is
# purged at the next hand-over.
#
# Sessions are database rows that are signed, not encrypted, so the session holds the secret
# only sealed (crm.sealed: encrypted under a key derived from SECRET_KEY for this token or hub):
# the session table and its backups alone give nothing away, and the redirect URL stays a plain
# page address, so nothing secret lands in access logs or the browser history either. Each
# secret has its own entry: a token's keyed by its id, a hub's by ``hub-<id>``.
SECRET_SESSION_KEY = "partners.new_token_secrets"
SECRET_WAITS = timedelta(minutes=10)


def _seal_purpose(entry_key: str) -> str:
    if entry_key.startswith("hub-"):
        return f"partners.new_hub_secret.{entry_key.removeprefix('hub-')}"
    return f"partners.new_token_secret.{entry_key}"


def _waiting_secrets(request) -> dict:
    """The sealed secrets still waiting to be shown; expired ones are dropped."""
    now = timezone.now()
    waiting = {}
    for entry_key, entry in request.session.get(SECRET_SESSION_KEY, {}).items():
        try:
            fresh = now - datetime.fromisoformat(entry["issued_at"]) <= SECRET_WAITS
        except (KeyError, TypeError, ValueError):
            fresh = False
        if fresh:
            waiting[entry_key] = entry
    return waiting


def _store_waiting(request, waiting: dict) -> None:
    if waiting:
        request.session[SECRET_SESSION_KEY] = waiting
    else:
        request.session.pop(SECRET_SESSION_KEY, None)


def _secret_hand_over(request, *, entry_key: str, secret: str, page: str, **details):
    """Keep ``secret`` sealed in the session and send the browser to the page that shows it."""
    waiting = _waiting_secrets(request)
    waiting[entry_key] = {
        "sealed": seal(secret, purpose=_seal_purpose(entry_key)),
        "issued_at": timezone.now().isoformat(),
        **details,
    }
    _store_waiting(request, waiting)
    response = redirect(page)
    response.status_code = 303  # the browser follows with a GET
    return response


def _secret_take(request, entry_key: str) -> dict | None:
    """The waiting secret and its details, taken out of the session: it can be shown once."""
    waiting = _waiting_secrets(request)
    entry = waiting.pop(entry_key, None)
    _store_waiting(request, waiting)
    if not entry:
        return None
    secret = unseal(entry.get("sealed", ""), purpose=_seal_purpose(entry_key), max_age=SECRET_WAITS)
    return {**entry, "secret": secret} if secret else None


def _token_hand_over(request, *, partner: Partner, issued: partners.IssuedToken, replaced=None):
    return _secret_hand_over(
        request,
        entry_key=str(issued.token.pk),
        secret=issued.secret,
        page=reverse("partners:token_secret", args=[partner.pk, issued.token.pk]),
        replaced=replaced.pk if replaced else None,
    )


# --- Partners ---------------------------------------------------------------------------------


# Each column sorts by a keyset that has its index (customers.partners.selectors.PARTNER_SORTS).
PARTNER_SORT_COLUMNS = (
    SortColumn("name", "name", {"name": "ascending"}),
    SortColumn(
        "applied", "newest", {"newest": "descending", "oldest": "ascending"}, reverse="oldest"
    ),
)


@login_required
@permission_required("customers.view_partner", raise_exception=True)
def partner_list(request):
    return list_page(
        request,
        "partners/list.html",
        form=PartnerFilterForm(request.GET or None),
        page_of=lambda filters, **cursor: selectors.partner_list(
            **PartnerFilterForm.selector_filters(filters), **cursor
        ),
        context={
            "sort_headers": sort_headers(
                request.GET, PARTNER_SORT_COLUMNS, current=request.GET.get("sort") or "newest"
            ),
            **saved_views_context(user=request.user, list_name=PARTNERS),
        },
    )


@login_required
@permission_required("customers.add_partner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def partner_create(request):
    form = PartnerForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            partner = partners.partner_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Application of {partner.name} recorded.")
            return redirect(_partner_url(partner))
    return render(request, "partners/form.html", {"form": form})


@login_required
@permission_required("customers.view_partner", raise_exception=True)
def partner_detail(request, partner_id):
    partner = _partner_or_404(partner_id)
    actions = (
        partners.partner_actions_allowed(partner)
        if request.user.has_perm("customers.approve_partner")
        else []
    )
    return render(
        request,
        "partners/detail.html",
        {"partner": partner, "actions": actions, **selectors.partner_page(partner=partner)},
    )


@login_required
@permission_required("customers.change_partner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def partner_edit(request, partner_id):
    partner = _partner_or_404(partner_id)
    form = PartnerForm(_posted(request), initial=PartnerForm.initial_from(partner))
    if request.method == "POST" and form.is_valid():
        try:
            partners.partner_update(partner=partner, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Partner details saved.")
            return redirect(_partner_url(partner))
    return render(request, "partners/form.html", {"form": form, "partner": partner})


@login_required
@permission_required("customers.approve_partner", raise_exception=True)
@require_http_methods(["GET", "POST"])
def partner_action(request, partner_id, action):
    """One page per lifecycle action; the template is ``partners/lifecycle/<action>``."""
    if action not in partners.PARTNER_TRANSITIONS:
        raise Http404(f"No partner action {action}.")
    partner = _partner_or_404(partner_id)
    form = PartnerTransitionForm(
        _posted(request), reason_required=action in partners.REASON_REQUIRED
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = partners.partner_transition(
                partner=partner, action=action, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{moved.name} is now {moved.get_status_display().lower()}.")
            return redirect(_partner_url(moved))
    sources, _ = partners.PARTNER_TRANSITIONS[action]
    return render(
        request,
        f"partners/lifecycle/{action}.html",
        {"partner": partner, "form": form, "action": action, "allowed": partner.status in sources},
    )


# --- Tokens -----------------------------------------------------------------------------------


def _token_or_404(partner: Partner, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=token_id, partner=partner)


@login_required
@permission_required("customers.manage_partner_tokens", raise_exception=True)
@require_http_methods(["GET", "POST"])
def token_issue(request, partner_id):
    partner = _partner_or_404(partner_id)
    form = TokenIssueForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            issued = partners.token_issue(partner=partner, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return _token_hand_over(request, partner=partner, issued=issued)
    return render(request, "partners/token_issue.html", {"partner": partner, "form": form})


@login_required
@permission_required("customers.manage_partner_tokens", raise_exception=True)
@require_http_methods(["GET", "POST"])
def token_rotate(request, partner_id, token_id):
    partner = _partner_or_404(partner_id)
    token = _token_or_404(partner, token_id)
    form = TokenRotateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            issued = partners.token_rotate(
                token=token, actor=request.user, grace=form.cleaned_data["grace"]
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return _token_hand_over(request, partner=partner, issued=issued, replaced=token)
    return render(
        request,
        "partners/token_rotate.html",
        {"partner": partner, "token": token, "form": form},
    )


@login_required
@permission_required("customers.manage_partner_tokens", raise_exception=True)
@require_GET  # not HEAD: a HEAD must not use up the one showing
def token_secret(request, partner_id, token_id):
    """The only time a new token is shown in full; afterwards the page says it was shown."""
    partner = _partner_or_404(partner_id)
    token = _token_or_404(partner, token_id)
    waiting = _secret_take(request, str(token.pk))
    replaced = None
    if waiting and waiting["replaced"]:
        replaced = ApiToken.objects.filter(pk=waiting["replaced"], partner=partner).first()
    response = render(
        request,
        "partners/token_secret.html",
        {
            "partner": partner,
            "token": token,
            "secret": waiting["secret"] if waiting else None,
            "replaced": replaced,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("customers.manage_partner_tokens", raise_exception=True)
@require_http_methods(["GET", "POST"])
def token_revoke(request, partner_id, token_id):
    partner = _partner_or_404(partner_id)
    token = _token_or_404(partner, token_id)
    if request.method == "POST":
        partners.token_revoke(token=token, actor=request.user)
        messages.success(request, f"Token {token} revoked: it no longer works.")
        return redirect(_partner_url(partner))
    return render(request, "partners/token_revoke.html", {"partner": partner, "token": token})


# --- Hubs -------------------------------------------------------------------------------------


@login_required
@permission_required("customers.manage_partner_tokens", raise_exception=True)
@require_http_methods(["GET", "POST"])
def hub_remove(request, partner_id, hub_id):
    partner = _partner_or_404(partner_id)
    subscription = get_object_or_404(HubSubscription, pk=hub_id, partner=partner)
    if request.method == "POST":
        hub.hub_unsubscribe(hub=subscription, actor=request.user)
        messages.success(request, f"Hub {subscription.callback} removed: it gets no more events.")
        return redirect(_partner_url(partner))
    return render(request, "partners/hub_remove.html", {"partner": partner, "hub": subscription})


@login_required
@permission_required("customers.manage_partner_tokens", raise_exception=True)
@require_http_methods(["GET", "POST"])
def hub_rotate(request, partner_id, hub_id):
    partner = _partner_or_404(partner_id)
    subscription = get_object_or_404(HubSubscription, pk=hub_id, partner=partner)
    if request.method == "POST":
        try:
            new = hub.hub_secret_rotate(hub=subscription, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(_partner_url(partner))
        return _secret_hand_over(
            request,
            entry_key=f"hub-{subscription.pk}",
            secret=new.secret,
            page=reverse("partners:hub_secret", args=[partner.pk, subscription.pk]),
        )
    context = {
        "partner": partner,
        "hub": subscription,
        "overlap_hours": settings.CRM_HUB_SECRET_OVERLAP_HOURS,
    }
    return render(request, "partners/hub_rotate.html", context)


@login_required
@permission_required("customers.manage_partner_tokens", raise_exception=True)
@require_GET  # not HEAD: a HEAD must not use up the one showing
def hub_secret(request, partner_id, hub_id):
    """The only time a hub's new signing secret is shown; afterwards the page says it was."""
    partner = _partner_or_404(partner_id)
    subscription = get_object_or_404(HubSubscription, pk=hub_id, partner=partner)
    waiting = _secret_take(request, f"hub-{subscription.pk}")
    response = render(
        request,
        "partners/hub_secret.html",
        {"partner": partner, "hub": subscription, "secret": waiting["secret"] if waiting else None},
    )
    response["Cache-Control"] = "no-store"
    return response


# --- Delivery log -----------------------------------------------------------------------------


@login_required
@permission_required("partners.view_hubdelivery", raise_exception=True)
def delivery_list(request):
    return list_page(
        request,
        "partners/deliveries/list.html",
        form=DeliveryFilterForm(request.GET or None),
        page_of=lambda filters, **cursor: selectors.hub_delivery_log(
            status=filters.get("status", ""),
            partner_id=filters["partner"].pk if filters.get("partner") else None,
            **cursor,
        ),
    )


@login_required
@permission_required("partners.view_hubdelivery", raise_exception=True)
def delivery_detail(request, delivery_id):
    try:
        delivery = selectors.hub_delivery_get(delivery_id=delivery_id)
    except HubDelivery.DoesNotExist:
        raise Http404(f"No delivery {delivery_id}.") from None
    return render(
        request,
        "partners/deliveries/detail.html",
        {
            "delivery": delivery,
            "payload": selectors.hub_delivery_payload(delivery),
            "replayable": selectors.hub_delivery_replayable(delivery),
        },
    )


@login_required
@permission_required("partners.change_hubdelivery", raise_exception=True)
@require_POST
def delivery_replay(request, delivery_id):
    delivery = get_object_or_404(HubDelivery, pk=delivery_id)
    try:
        hub.hub_delivery_replay(delivery=delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Delivery {delivery.pk} queued to be sent again.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("partners:delivery_detail", args=[delivery.pk])
    return redirect(back)


# --- The public application page ---------------------------------------------------------------

# Applications one address may send per hour: enough for a typo or two, not for a flood.
APPLICATIONS_PER_HOUR = 5


def _applications_allowed(request) -> bool:
    key = f"partner-applications:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, timeout=3600)
    try:
        return cache.incr(key) <= APPLICATIONS_PER_HOUR
    except ValueError:
        return True


@require_http_methods(["GET", "POST"])
def partner_apply(request):
    """Organisations apply to become partners; staff then validate and approve them."""
    form = PartnerApplicationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if not _applications_allowed(request):
            form.add_error(None, "Too many applications from your address; try again later.")
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "company_fax"}
            try:
                partners.partner_create(actor="partner application form", **data)
            except ValidationError as error:
                apply_service_error(form, error)
            else:
                context = {"name": data["name"], "language": "en"}
                return render(request, "partners/applied.html", context)
    return render(request, "partners/apply.html", {"form": form, "language": "en"})
