"""The TMF event hub: subscriptions and signed webhook delivery.

An event is written (with one delivery row per interested hub) in the same transaction as the
change it reports (``hub_events``), so it exists exactly when the change does. Sending happens
after commit, in Celery; a delivery that fails is retried with growing pauses and, after the
last try, marked dead for staff to replay. A sweep in beat sends whatever is due, so a broker
that was down or a message that was lost only delays an event; nothing is ever dropped.

Delivery is at least once: a worker killed after sending but before recording it sends again.
Receivers de-duplicate on ``eventId``.
"""

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from crm.handoff import tasks_send_after_commit
from customers.partners.api.events import EVENT_TYPES
from customers.partners.models import HubDelivery, HubSubscription
from customers.partners.services.callbacks import (
    address_of,
    allowed_callback_ports,
    callback_host_allowed,
    callback_port_allowed,
    is_public_address,
)
from customers.services.audit import action_log_record

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Crm-Signature"
# How long a worker may hold a delivery it claimed before another may send it again.
CLAIM_SECONDS = 120
USER_AGENT = "crm-event-hub/1"


# --- Subscriptions ---------------------------------------------------------------------------


# The keys a hub's query may use, as the TMF APIs name them.
QUERY_KEYS = ("eventType",)


def _query_event_types(query: str, api: str) -> None:
    event_types = EVENT_TYPES[api]
    keys = {part.partition("=")[0].strip() for part in query.split("&") if part.strip()}
    unknown_keys = keys - set(QUERY_KEYS)
    if unknown_keys:
        raise ValidationError(
            {
                "query": f"Unknown keys: {', '.join(sorted(unknown_keys))}. "
                f"A query may use {', '.join(QUERY_KEYS)}, "
                f"e.g. eventType={event_types[0]},{event_types[-1]}."
            }
        )
    probe = HubSubscription(query=query)
    unknown = probe.event_types - set(event_types)
    if unknown:
        raise ValidationError(
            {
                "query": f"Unknown event types: {', '.join(sorted(unknown))}. "
                f"Use {', '.join(event_types)}."
            }
        )


@dataclass(frozen=True)
class NewHub:
    """A hub with a new signing secret, and whether we chose it (then it is shown once)."""

    hub: HubSubscription
    secret: str
    secret_generated: bool


def _signing_secret(secret: str | None) -> tuple[str, bool]:
    """The partner's own secret, checked, or a new random one; and whether it was generated."""
    if secret is None:
        return secrets.token_urlsafe(32), True
    if not 16 <= len(secret) <= 128:
        raise ValidationError({"secret": "A signing secret has 16 to 128 characters."})
    return secret, False


@transaction.atomic
def hub_subscribe(
    *,
    partner,
    actor,
    callback: str,
    query: str = "",
    secret: str | None = None,
    api: str = HubSubscription.Api.CUSTOMER,
) -> NewHub:
    """Register a callback for ``api``'s events about what ``partner`` may see (all if None)."""
    callback = callback.strip()
    try:
        URLValidator(schemes=["http", "https"])(callback)
    except ValidationError:
        raise ValidationError({"callback": "Give an http or https URL."}) from None
    if settings.CRM_HUB_REQUIRE_HTTPS and not callback.startswith("https://"):
        raise ValidationError({"callback": "Callbacks must use https."})
    if not callback_host_allowed(callback):
        raise ValidationError({"callback": "Callbacks must reach a public address."})
    if not callback_port_allowed(callback):
        ports = " or ".join(str(port) for port in sorted(allowed_callback_ports() or ()))
        raise ValidationError({"callback": f"Callbacks must use port {ports}."})
    _query_event_types(query, api)
    secret, generated = _signing_secret(secret)
    hub = HubSubscription.objects.create(
        api=api,
        partner=partner,
        created_by=actor if getattr(actor, "pk", None) else None,
        callback=callback,
        query=query.strip(),
        secret=secret,
    )
    action_log_record(
        action="hub.subscribed",
        customer=None,
        actor=actor,
        partner=partner,
        data={"hub": hub.pk, "api": api, "callback": callback, "query": hub.query},
    )
    return NewHub(hub=hub, secret=secret, secret_generated=generated)


@transaction.atomic
def hub_secret_rotate(*, hub: HubSubscription, actor, secret: str | None = None) -> NewHub:
    """Give the hub a new signing secret. For CRM_HUB_SECRET_OVERLAP_HOURS deliveries are
    signed with the old one too, so the partner's receiver can switch without refusing events;
    rotating again within the overlap drops the oldest secret at once."""
    secret, generated = _signing_secret(secret)
    hub = HubSubscription.objects.select_for_update().get(pk=hub.pk)
    if hub.deleted_at is not None:
        raise ValidationError("The hub was removed; it signs nothing any more.")
    overlap = timedelta(hours=settings.CRM_HUB_SECRET_OVERLAP_HOURS)
    hub.previous_secret = hub.secret if overlap else ""
    hub.previous_secret_expires_at = timezone.now() + overlap if overlap else None
    hub.secret = secret
    hub.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    until = hub.previous_secret_expires_at
    action_log_record(
        action="hub.secret_rotated",
        customer=None,
        actor=actor,
        partner=hub.partner,
        data={"hub": hub.pk, "old_secret_until": until.isoformat() if until else None},
    )
    return NewHub(hub=hub, secret=secret, secret_generated=generated)


@transaction.atomic
def hub_unsubscribe(*, hub: HubSubscription, actor) -> None:
    """Stop deliveries to the hub; its delivery log stays for staff to read."""
    now = timezone.now()
    updated = HubSubscription.objects.filter(pk=hub.pk, deleted_at=None).update(deleted_at=now)
    if not updated:
        return
    HubDelivery.objects.filter(subscription=hub, status=HubDelivery.Status.PENDING).update(
        status=HubDelivery.Status.CANCELLED
    )
    action_log_record(
        action="hub.unsubscribed",
        customer=None,
        actor=actor,
        partner=hub.partner,
        data={"hub": hub.pk, "callback": hub.callback},
    )


# --- Delivery --------------------------------------------------------------------------------


def deliveries_send_after_commit(delivery_ids: list[int]) -> None:
    """Queue the sends with the change. With the broker down they wait: the change stands."""
    tasks_send_after_commit(
        "customers.partners.tasks.hub_delivery_send", [(pk,) for pk in delivery_ids]
    )


def signature(signing_secrets: list[str], timestamp: int, body: bytes) -> str:
    """``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: the timestamp stops replays.

    One ``v1`` per secret, the current one first: while an old secret overlaps a new one the
    receiver accepts the delivery when any ``v1`` matches the secret it holds.
    """
    signed = f"{timestamp}.".encode() + body
    macs = [hmac.new(key.encode(), signed, hashlib.sha256).hexdigest() for key in signing_secrets]
    return ",".join([f"t={timestamp}", *(f"v1={mac}" for mac in macs)])


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the first, second, third … failure, at most six hours."""
    base = settings.CRM_HUB_RETRY_BASE_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 3600))


class CallbackRefused(OSError):
    """The callback's address is in our own network, or its port is not allowed."""


def _checked_connection(address, *args, **kwargs):
    """Connect, then check the address actually reached: a name that resolved to a public
    address when the hub was registered may point into our network by now."""
    allowed = allowed_callback_ports()
    if allowed is not None and address[1] not in allowed:
        raise CallbackRefused(f"port {address[1]} is not allowed for callbacks")
    sock = socket.create_connection(address, *args, **kwargs)
    if not settings.CRM_HUB_ALLOW_PRIVATE_CALLBACKS:
        peer = address_of(sock.getpeername()[0])
        if not is_public_address(peer):
            sock.close()
            raise CallbackRefused(f"{address[0]} resolves to {peer}, which is not public")
    return sock


class _CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _checked_connection


class _CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, request):
        return self.do_open(_CheckedHTTPConnection, request)


class _CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, request):
        return self.do_open(_CheckedHTTPSConnection, request, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# No proxies from the environment, no redirects, and every connection's address checked.
_opener = urllib.request.build_opener(
    urllib.request.ProxyHandler({}), _CheckedHTTPHandler, _CheckedHTTPSHandler, _NoRedirects
)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=settings.CRM_HUB_TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code} {error.reason}"
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, f"{type(error).__name__}: {reason}"


def hub_delivery_send(delivery_id: int) -> str:
    """Send one delivery if it is due and nobody else holds it; returns what happened."""
    now = timezone.now()
    claimed = HubDelivery.objects.filter(
        pk=delivery_id, status=HubDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
    if not claimed:
        return "not due"
    delivery = HubDelivery.objects.select_related(
        "event", "subscription", "subscription__partner"
    ).get(pk=delivery_id)
    hub = delivery.subscription
    if hub.deleted_at is not None or (hub.partner and not hub.partner.may_use_api):
        # Removed, or its partner suspended or terminated since: it hears nothing more.
        HubDelivery.objects.filter(pk=delivery_id).update(status=HubDelivery.Status.CANCELLED)
        return "cancelled"
    body = json.dumps(delivery.event.payload, separators=(",", ":")).encode()
    timestamp = int(time.time())
    if hub.previous_secret and len(hub.signing_secrets(now)) == 1:
        # The overlap after a rotation is over: the old secret is dropped for good.
        HubSubscription.objects.filter(pk=hub.pk, previous_secret_expires_at__lte=now).update(
            previous_secret="", previous_secret_expires_at=None
        )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Crm-Event-Id": str(delivery.event.event_id),
        "X-Crm-Event-Type": delivery.event.event_type,
        SIGNATURE_HEADER: signature(hub.signing_secrets(now), timestamp, body),
    }
    status_code, error = _post(hub.callback, body, headers)
    attempts = delivery.attempts + 1
    finished = timezone.now()
    if status_code is not None and 200 <= status_code < 300:
        HubDelivery.objects.filter(pk=delivery_id).update(
            status=HubDelivery.Status.DELIVERED,
            attempts=attempts,
            last_attempt_at=finished,
            response_status=status_code,
            last_error="",
            delivered_at=finished,
        )
        return "delivered"
    dead = attempts >= settings.CRM_HUB_MAX_ATTEMPTS
    HubDelivery.objects.filter(pk=delivery_id).update(
        status=HubDelivery.Status.DEAD if dead else HubDelivery.Status.PENDING,
        attempts=attempts,
        last_attempt_at=finished,
        response_status=status_code,
        last_error=error[:2000],
        next_attempt_at=finished + retry_delay(attempts),
    )
    return "dead" if dead else "retry"


def hub_deliveries_due(*, limit: int = 500) -> list[int]:
    """Ids of deliveries whose time has come: retries, and any whose message was lost."""
    return list(
        HubDelivery.objects.filter(
            status=HubDelivery.Status.PENDING, next_attempt_at__lte=timezone.now()
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def hub_delivery_replay(*, delivery: HubDelivery, actor) -> HubDelivery:
    """Send a delivery again from the start of its retries (a dead one, or one to resend)."""
    delivery = (
        HubDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
    )
    if delivery.subscription.deleted_at is not None:
        raise ValidationError("The hub was removed; there is nobody to send to.")
    if delivery.status == HubDelivery.Status.PENDING:
        raise ValidationError("This delivery is already waiting to be sent.")
    delivery.status = HubDelivery.Status.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
    action_log_record(
        action="hub.delivery_replayed",
        customer=None,
        actor=actor,
        partner=delivery.subscription.partner,
        data={"delivery": delivery.pk, "event": str(delivery.event_id)},
    )

    deliveries_send_after_commit([delivery.pk])
    return delivery
