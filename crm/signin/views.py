"""The second-factor pages after the password: verify a code, or set the factor up."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from crm.signin.forms import SecondFactorCodeForm
from crm.signin.log import sign_in_event_record
from crm.signin.models import SignInEvent
from crm.signin.second_factor import (
    has_authenticator_app,
    has_second_factor,
    qr_code_data_uri,
    second_factor_check,
    secret_for_typing,
    totp_enrolment_confirm,
    totp_enrolment_device,
)
from crm.staff import NOT_STAFF, is_staff_member

WRONG_CODE = (
    "That code is not right. Type the code your authenticator app shows now, or one of your "
    "recovery codes; after several wrong codes each try has to wait a little longer."
)
WRONG_SET_UP_CODE = (
    "That code is not right. Type the six-digit code the app shows for this account now; it "
    "changes every 30 seconds."
)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else "/"


def _verified(request, device) -> None:
    request.session.cycle_key()
    otp_login(request, device)


def _staff_only(view):
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise PermissionDenied(NOT_STAFF)
        return view(request, *args, **kwargs)

    return login_required(never_cache(sensitive_post_parameters("code")(checked)))


@_staff_only
def second_factor_verify(request):
    if not has_second_factor(request.user):
        return redirect_to_login(_next_url(request), "second_factor_enrol")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = SecondFactorCodeForm(request.POST or None)
    if form.is_valid():
        device = second_factor_check(user=request.user, token=form.cleaned_data["code"])
        if device is not None:
            _verified(request, device)
            sign_in_event_record(
                kind=SignInEvent.Kind.SECOND_FACTOR_VERIFIED,
                request=request,
                user=request.user,
                detail="recovery code" if isinstance(device, StaticDevice) else "app code",
            )
            return redirect(_next_url(request))
        sign_in_event_record(
            kind=SignInEvent.Kind.SECOND_FACTOR_FAILED, request=request, user=request.user
        )
        form.add_error("code", WRONG_CODE)
    return render(
        request,
        "registration/second_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@_staff_only
def second_factor_enrol(request):
    context = {"next": _next_url(request)}
    if has_second_factor(request.user) and not request.user.is_verified():
        # Only a session that proved the factor it has may set up another.
        return redirect_to_login(_next_url(request), "second_factor_verify")
    if has_authenticator_app(request.user):
        return render(request, "registration/second_factor_enrol.html", {**context, "done": True})
    device = totp_enrolment_device(user=request.user)
    form = SecondFactorCodeForm(request.POST or None)
    if form.is_valid():
        recovery_codes = totp_enrolment_confirm(device=device, token=form.cleaned_data["code"])
        if recovery_codes is not None:
            device.refresh_from_db()
            _verified(request, device)
            sign_in_event_record(
                kind=SignInEvent.Kind.SECOND_FACTOR_ENROLLED, request=request, user=request.user
            )
            return render(
                request,
                "registration/second_factor_recovery_codes.html",
                {**context, "recovery_codes": recovery_codes},
            )
        sign_in_event_record(
            kind=SignInEvent.Kind.SECOND_FACTOR_FAILED,
            request=request,
            user=request.user,
            detail="while setting it up",
        )
        form.add_error("code", WRONG_SET_UP_CODE)
    return render(
        request,
        "registration/second_factor_enrol.html",
        {
            **context,
            "form": form,
            "qr_code": qr_code_data_uri(device.config_url),
            "secret": secret_for_typing(device),
        },
    )
