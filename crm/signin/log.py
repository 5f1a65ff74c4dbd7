"""The sign-in log: every sign-in, failure, lockout, sign-out, session expiry and
second-factor step, with the time, username, address and browser. Django's and django-axes'
signals feed it, so the staff login and Django admin's are logged alike."""

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from crm.signin.models import SignInEvent

# Set on the request by whoever signs a user out for a reason other than their own click.
SIGN_OUT_REASON = "crm_sign_out_reason"


def sign_in_event_record(
    *, kind: str, request=None, user=None, username: str = "", detail: str = ""
) -> SignInEvent:
    meta = getattr(request, "META", {})
    return SignInEvent.objects.create(
        kind=kind,
        user=user if getattr(user, "pk", None) else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        ip_address=get_client_ip_address(request) if request is not None else None,
        user_agent=meta.get("HTTP_USER_AGENT", "")[:300],
        path=getattr(request, "path", "")[:200],
        detail=detail[:200],
    )


def _signed_in(sender, request, user, **kwargs):
    sign_in_event_record(kind=SignInEvent.Kind.SIGNED_IN, request=request, user=user)


def _failed(sender, credentials, request=None, **kwargs):
    # django-axes has counted the failure already (its receiver was connected first).
    locked = getattr(request, "axes_locked_out", False)
    sign_in_event_record(
        kind=SignInEvent.Kind.FAILED,
        request=request,
        username=credentials.get("username", ""),
        detail="account locked" if locked else "",
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    failures = getattr(request, "axes_failures_since_start", None)
    sign_in_event_record(
        kind=SignInEvent.Kind.LOCKED_OUT,
        request=request,
        username=username,
        detail=f"after {failures} failures" if failures else "",
    )


def _signed_out(sender, request, user, **kwargs):
    reason = getattr(request, SIGN_OUT_REASON, "")
    sign_in_event_record(
        kind=SignInEvent.Kind.SESSION_EXPIRED if reason else SignInEvent.Kind.SIGNED_OUT,
        request=request,
        user=user,
        detail=reason,
    )


def connect() -> None:
    user_logged_in.connect(_signed_in, dispatch_uid="crm.signin.log.signed_in")
    user_login_failed.connect(_failed, dispatch_uid="crm.signin.log.failed")
    user_locked_out.connect(_locked_out, dispatch_uid="crm.signin.log.locked_out")
    user_logged_out.connect(_signed_out, dispatch_uid="crm.signin.log.signed_out")
