"""Idle and absolute session timeouts: a session unused for CRM_SESSION_IDLE_MINUTES, or older
than CRM_SESSION_MAX_HOURS since its sign-in, is signed out on its next request, which then
goes to the login page with a message saying why.

The times are kept in the session itself (seconds since the epoch), written at sign-in and,
to spare a session write per page, refreshed at most once a minute."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in

from crm.signin.log import SIGN_OUT_REASON

SIGNED_IN_AT = "crm_signed_in_at"
LAST_SEEN_AT = "crm_last_seen_at"
_LAST_SEEN_PRECISION_SECONDS = 60


def session_times_start(sender, request, user, **kwargs):
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def connect() -> None:
    user_logged_in.connect(session_times_start, dispatch_uid="crm.signin.sessions.start")


def session_expiry_reason(session, *, now: float) -> str:
    """Why this session has ended, or "" while it may go on."""
    signed_in_at, last_seen_at = session.get(SIGNED_IN_AT), session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        return ""
    if now - signed_in_at > settings.CRM_SESSION_MAX_HOURS * 3600:
        return (
            f"You were signed out: a session lasts at most {settings.CRM_SESSION_MAX_HOURS} "
            "hours. Sign in again."
        )
    if now - last_seen_at > settings.CRM_SESSION_IDLE_MINUTES * 60:
        return (
            f"You were signed out after {settings.CRM_SESSION_IDLE_MINUTES} minutes without "
            "activity. Sign in again."
        )
    return ""


class SessionTimeoutMiddleware:
    """Signs out a session past either limit before any view sees it; the staff rule then
    sends the request to the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request) -> None:
        session, now = request.session, time.time()
        if SIGNED_IN_AT not in session:
            # Signed in before the timeouts existed: the limits count from now.
            session[SIGNED_IN_AT] = session[LAST_SEEN_AT] = now
            return
        reason = session_expiry_reason(session, now=now)
        if reason:
            setattr(request, SIGN_OUT_REASON, reason)
            logout(request)
            messages.warning(request, reason)
        elif now - session.get(LAST_SEEN_AT, 0) > _LAST_SEEN_PRECISION_SECONDS:
            session[LAST_SEEN_AT] = now
