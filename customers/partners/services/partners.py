"""Partner on-boarding: the partner's own lifecycle and its API credentials.

    applied ──validate──> validated ──approve──> approved ──suspend──> suspended
       │                      │                     ^                      │
       │                      │                     └──────reinstate───────┘
       └──────────────────────┴──terminate──> terminated <──terminate── approved/suspended

Only an approved partner's tokens work. Tokens are shown once, stored as a SHA-256 hash (they
are long random strings, so a fast hash is enough and keeps each request cheap), and can be
revoked or rotated; rotation may leave the old token working for a grace period.

A token that authenticated is kept in the shared cache for up to a minute, so a partner's
requests do not read it from the database each time. Every change that can stop a token
(revoking, rotating, a partner's lifecycle or details) puts a marker in its place when it
commits; the marker sends lookups to the database for as long as a cached copy could live.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.models import Partner
from customers.partners.models import ApiToken
from customers.services.audit import action_log_record

Status = Partner.Status

PARTNER_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "validate": (frozenset({Status.APPLIED}), Status.VALIDATED),
    "approve": (frozenset({Status.VALIDATED}), Status.APPROVED),
    "suspend": (frozenset({Status.APPROVED}), Status.SUSPENDED),
    "reinstate": (frozenset({Status.SUSPENDED}), Status.APPROVED),
    "terminate": (
        frozenset({Status.APPLIED, Status.VALIDATED, Status.APPROVED, Status.SUSPENDED}),
        Status.TERMINATED,
    ),
}
# Taking a partner off the API needs a reason that the partner can be told.
REASON_REQUIRED = {"suspend", "terminate"}

TOKEN_PREFIX_BYTES = 6
TOKEN_SECRET_BYTES = 32
FULL_SCOPES = [scope.value for scope in ApiToken.Scope]


def partner_actions_allowed(partner: Partner) -> list[str]:
    return [
        action for action, (sources, _) in PARTNER_TRANSITIONS.items() if partner.status in sources
    ]


@transaction.atomic
def partner_create(
    *,
    name: str,
    actor,
    registration_number: str = "",
    contact_name: str = "",
    contact_email: str = "",
    website: str = "",
    notes: str = "",
    rate_limit_per_minute: int | None = None,
) -> Partner:
    """Record a partner's application; it can use the API once validated and approved."""
    partner = Partner(
        name=name.strip(),
        registration_number=registration_number.strip().upper(),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(),
        website=website.strip(),
        notes=notes.strip(),
        status=Status.APPLIED,
        status_changed_at=timezone.now(),
    )
    if rate_limit_per_minute is not None:
        partner.rate_limit_per_minute = rate_limit_per_minute
    partner.full_clean()
    try:
        with transaction.atomic():
            partner.save()
    except IntegrityError:
        raise ValidationError(
            {"name": f"A partner named '{partner.name}' already exists."}
        ) from None
    action_log_record(
        action="partner.applied",
        customer=None,
        actor=actor,
        partner=partner,
        data={"name": partner.name, "registration_number": partner.registration_number},
    )
    return partner


@transaction.atomic
def partner_update(*, partner: Partner, actor, **changes) -> Partner:
    editable = {
        "name",
        "registration_number",
        "contact_name",
        "contact_email",
        "website",
        "notes",
        "rate_limit_per_minute",
    }
    unknown = set(changes) - editable
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    diff = {}
    for name, value in changes.items():
        if getattr(partner, name) != value:
            diff[name] = [getattr(partner, name), value]
            setattr(partner, name, value)
    if not diff:
        return partner
    partner.full_clean()
    partner.save()
    # Cached tokens carry their partner, whose rate limit the API reads from them.
    token_lookups_forget(partner=partner)
    action_log_record(
        action="partner.updated", customer=None, actor=actor, partner=partner, data=diff
    )
    return partner


def partner_transition(*, partner: Partner, action: str, actor, reason: str = "") -> Partner:
    """Move the partner along its on-boarding lifecycle; the row lock orders concurrent moves."""
    try:
        sources, target = PARTNER_TRANSITIONS[action]
    except KeyError:
        raise ValidationError(f"Unknown partner action '{action}'.") from None
    reason = reason.strip()
    if action in REASON_REQUIRED and not reason:
        raise ValidationError({"reason": f"Give a reason to {action} the partner."})
    with transaction.atomic():
        locked = Partner.objects.select_for_update().get(pk=partner.pk)
        if locked.status not in sources:
            allowed = ", ".join(partner_actions_allowed(locked)) or "nothing"
            current = locked.get_status_display().lower()
            raise ValidationError(
                f"Cannot {action} partner {locked.name}: it is {current}. Allowed: {allowed}.",
                code="transition_not_allowed",
            )
        previous = locked.status
        locked.status = target
        locked.status_reason = reason
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_reason", "status_changed_at"])
        token_lookups_forget(partner=locked)
        action_log_record(
            action=f"partner.{action}",
            customer=None,
            actor=actor,
            partner=locked,
            data={"from": previous, "to": target, "reason": reason},
        )
    return locked


@dataclass(frozen=True)
class IssuedToken:
    """A new token and the only copy of its secret: show it once, never store it."""

    token: ApiToken
    secret: str


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _token_scopes(scopes) -> list[str]:
    scopes = sorted(set(scopes))
    unknown = set(scopes) - set(FULL_SCOPES)
    if unknown:
        raise ValidationError({"scopes": f"Unknown scopes: {', '.join(sorted(unknown))}."})
    if not scopes:
        raise ValidationError({"scopes": "Give the token at least one scope."})
    return scopes


@transaction.atomic
def token_issue(*, partner: Partner, name: str, scopes, actor) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Say what the token is for."})
    scopes = _token_scopes(scopes)
    # Read under a lock: a partner terminated a moment ago gets no new token.
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.status == Status.TERMINATED:
        raise ValidationError(f"Partner {partner.name} is terminated; it gets no new tokens.")
    prefix = secrets.token_hex(TOKEN_PREFIX_BYTES)
    raw = f"crm_{prefix}_{secrets.token_urlsafe(TOKEN_SECRET_BYTES)}"
    token = ApiToken.objects.create(
        partner=partner,
        name=name,
        prefix=prefix,
        secret_hash=_token_hash(raw),
        scopes=scopes,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    action_log_record(
        action="partner.token_issued",
        customer=None,
        actor=actor,
        partner=partner,
        data={"token": prefix, "name": name, "scopes": scopes},
    )
    return IssuedToken(token=token, secret=raw)


def _end_now(token: ApiToken, actor) -> None:
    token.revoked_at = timezone.now()
    token.revoked_by = actor if getattr(actor, "pk", None) else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    token_lookups_forget(tokens=[token])


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("partner").get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    _end_now(token, actor)
    action_log_record(
        action="partner.token_revoked",
        customer=None,
        actor=actor,
        partner=token.partner,
        data={"token": token.prefix, "name": token.name},
    )
    return token


@transaction.atomic
def token_rotate(*, token: ApiToken, actor, grace: timedelta = timedelta(0)) -> IssuedToken:
    """Issue a successor with the same name and scopes; the old token ends after ``grace``."""
    token = ApiToken.objects.select_for_update().select_related("partner").get(pk=token.pk)
    if not token.is_active():
        raise ValidationError("This token is no longer active; issue a new one instead.")
    issued = token_issue(partner=token.partner, name=token.name, scopes=token.scopes, actor=actor)
    if grace > timedelta(0):
        token.expires_at = timezone.now() + grace
        token.save(update_fields=["expires_at"])
        token_lookups_forget(tokens=[token])
    else:
        _end_now(token, actor)
    action_log_record(
        action="partner.token_rotated",
        customer=None,
        actor=actor,
        partner=token.partner,
        data={"token": token.prefix, "successor": issued.token.prefix, "grace": str(grace)},
    )
    return issued


# Writing "last used" on every request would cost a write per call; once a minute is plenty.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# How long an authenticated token stays in the cache: its "last used" is written when it is
# read from the database again, so this is also how late that record may be.
TOKEN_CACHE_SECONDS = int(LAST_USED_RESOLUTION.total_seconds())
# In place of a token that changed: read it from the database, and keep no copy, until every
# copy cached before the change has expired.
TOKEN_CHANGED = "changed"


def _token_cache_key(secret_hash: str) -> str:
    return f"api-token:{secret_hash}"


def token_lookups_forget(*, tokens=None, partner: Partner | None = None) -> None:
    """Once the change commits, ``tokens`` (or all of ``partner``'s) are read from the
    database again by the next requests that send them.

    A marker, not a deletion: a request that read a token just before the change may still
    be about to cache it, and ``cache.add`` never replaces the marker."""
    if tokens is None:
        hashes = list(
            ApiToken.objects.filter(partner=partner).values_list("secret_hash", flat=True)
        )
    else:
        hashes = [token.secret_hash for token in tokens]
    if hashes:
        markers = {_token_cache_key(h): TOKEN_CHANGED for h in hashes}
        transaction.on_commit(lambda: cache.set_many(markers, timeout=TOKEN_CACHE_SECONDS))


def _token_from_database(prefix: str) -> ApiToken | None:
    return next(iter(ApiToken.objects.select_related("partner").filter(prefix=prefix)[:1]), None)


def token_authenticate(raw: str) -> ApiToken | None:
    """The active token of an approved partner that ``raw`` is, or None. No query while the
    token is cached, one (and at most one write a minute) otherwise."""
    parts = raw.split("_")
    if len(parts) < 3 or parts[0] != "crm":
        return None
    secret_hash = _token_hash(raw)
    key = _token_cache_key(secret_hash)
    cached = cache.get(key)
    from_cache = isinstance(cached, ApiToken)
    token = cached if from_cache else _token_from_database(parts[1])
    if token is None or not hmac.compare_digest(token.secret_hash, secret_hash):
        return None
    now = timezone.now()
    if not token.is_active(now) or not token.partner.may_use_api:
        return None
    if from_cache:
        return token
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    if cached is None:
        cache.add(key, token, timeout=TOKEN_CACHE_SECONDS)
    return token
