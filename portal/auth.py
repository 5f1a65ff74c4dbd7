"""Who is signed in to the portal: a customer id in the portal's own session (portal.sessions).

A portal session ends after IDLE_LIMIT without a page, after MAX_AGE in any case, when the
customer signs out, and as soon as the relationship is no longer served (terminated, merged).
The times are kept in the session, refreshed at most once a minute to spare a write per page.
"""

import time
from functools import wraps

from axes.helpers import get_client_ip_address
from django.shortcuts import redirect

from customers.models import Customer
from portal import texts
from portal.services import SERVED_STATUSES, customer_language

CUSTOMER_KEY = "portal_customer_id"
LANGUAGE_KEY = "portal_language"
SIGNED_IN_AT = "portal_signed_in_at"
LAST_SEEN_AT = "portal_last_seen_at"
# The address a code was asked for (its keyed hash) and the language of the sign-in pages.
PENDING_ADDRESS_KEY = "portal_pending_address"
NOTICE_KEY = "portal_notice"
# A new contact address waiting for its code (portal.self_service.PendingContact).
PENDING_CONTACT_KEY = "portal_pending_contact"

IDLE_LIMIT_SECONDS = 30 * 60
MAX_AGE_SECONDS = 8 * 3600
_LAST_SEEN_PRECISION_SECONDS = 60


def client_ip(request) -> str | None:
    return get_client_ip_address(request)


def portal_code_pending(request, address_digest: str) -> None:
    """Remember, for the code page, which address a code was asked for; a session that holds
    no more than this ends as soon as a signed-in one would."""
    request.session[PENDING_ADDRESS_KEY] = address_digest
    request.session.set_expiry(IDLE_LIMIT_SECONDS)


def portal_sign_in(request, customer: Customer) -> None:
    """A new session key for the signed-in customer: a key known before sign-in is worthless."""
    request.session.cycle_key()
    request.session.pop(PENDING_ADDRESS_KEY, None)
    now = time.time()
    request.session[CUSTOMER_KEY] = customer.pk
    request.session[LANGUAGE_KEY] = customer_language(customer)
    request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = now
    request.session.set_expiry(IDLE_LIMIT_SECONDS)


def portal_sign_out(request, *, notice: str = "") -> None:
    """Everything in the session goes, and its key with it; ``notice`` is shown on the sign-in
    page that follows (a key of texts.PAGE)."""
    request.session.flush()
    if notice:
        request.session[NOTICE_KEY] = notice


def portal_language_set(request, language: str) -> None:
    """The customer chose another language: the pages speak it from now on."""
    request.session[LANGUAGE_KEY] = request.portal_language = texts.language_supported(language)


def portal_notice(request, notice: str) -> None:
    """A sentence (a key of texts.PAGE) the next page shows once, after a change was made."""
    request.session[NOTICE_KEY] = notice


def portal_notice_pop(request) -> str:
    return request.session.pop(NOTICE_KEY, "")


def portal_language(request) -> str:
    """The language of the portal's pages: the signed-in customer's, else the browser's."""
    session = getattr(request, "session", None)
    language = session.get(LANGUAGE_KEY) if session is not None else None
    return language or texts.browser_language(request.headers.get("Accept-Language", ""))


def _session_ended(session, now: float) -> bool:
    signed_in_at, last_seen_at = session.get(SIGNED_IN_AT), session.get(LAST_SEEN_AT)
    if signed_in_at is None or last_seen_at is None:
        return True
    return now - signed_in_at > MAX_AGE_SECONDS or now - last_seen_at > IDLE_LIMIT_SECONDS


def _private(response):
    # The customer's own data: never kept by a cache, never indexed.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def portal_page(view):
    """A portal page anyone may open (the sign-in pages): private, never cached."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return _private(view(request, *args, **kwargs))

    return wrapper


def portal_customer_required(view):
    """The page of a signed-in customer: sets ``request.portal_customer`` (with party and
    preferences) and ``request.portal_language``, or sends the visitor to sign in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        session, now = request.session, time.time()
        customer_id = session.get(CUSTOMER_KEY)
        if customer_id is None:
            return _private(redirect("portal:sign_in"))
        customer = None
        if not _session_ended(session, now):
            customer = (
                Customer.objects.select_related("party", "preferences")
                .filter(pk=customer_id, status__in=SERVED_STATUSES)
                .first()
            )
        if customer is None:
            portal_sign_out(request, notice="session_ended")
            return _private(redirect("portal:sign_in"))
        if now - session[LAST_SEEN_AT] > _LAST_SEEN_PRECISION_SECONDS:
            session[LAST_SEEN_AT] = now  # saving the session renews its cookie and its expiry
        request.portal_customer = customer
        request.portal_language = session.get(LANGUAGE_KEY) or customer_language(customer)
        return _private(view(request, *args, **kwargs))

    return wrapper
