"""Who is calling the API, what they may do, and how often.

Partners send ``Authorization: Bearer crm_…``; staff use their logged-in session (with CSRF)
and act with their role's permissions over every customer.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from rest_framework import authentication, exceptions, permissions, throttling

from customers.models import Partner
from customers.partners.models import ApiToken
from customers.partners.services.partners import token_authenticate
from customers.services.audit import PartnerActor


@dataclass(frozen=True)
class PartnerClient:
    """``request.user`` for a partner's token: not a staff user, and no Django permissions."""

    token: ApiToken

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_active = True

    @property
    def partner(self) -> Partner:
        return self.token.partner

    @property
    def actor(self) -> PartnerActor:
        return PartnerActor(partner=self.token.partner, token_prefix=self.token.prefix)

    def has_scope(self, scope: str) -> bool:
        return scope in self.token.scopes

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def get_username(self) -> str:
        return f"partner {self.token.partner.name}"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the header as 'Authorization: Bearer <token>'."
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = token_authenticate(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The token is not valid: it is unknown, revoked or expired, or its partner is "
                "not approved."
            )
        return PartnerClient(token=token), token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="tmf-api"'


def partner_of(request) -> Partner | None:
    """The partner whose customers the caller sees, or None for staff (who see all)."""
    user = request.user
    return user.partner if isinstance(user, PartnerClient) else None


def caller_of(request) -> str:
    """Whose keys and limits a request counts against: the partner's, or the staff user's."""
    partner = partner_of(request)
    return f"partner:{partner.pk}" if partner else f"user:{request.user.pk}"


def actor_of(request):
    user = request.user
    return user.actor if isinstance(user, PartnerClient) else user


# What a staff user needs for each method; partners need the token scope instead.
STAFF_PERMISSIONS = {
    "GET": "customers.view_customer",
    "HEAD": "customers.view_customer",
    "OPTIONS": "customers.view_customer",
    "POST": "customers.add_customer",
    "PATCH": "customers.change_customer",
    "DELETE": "customers.delete_customer",
}


class CustomerApiPermission(permissions.BasePermission):
    """Read scope for reads, write scope for writes; staff by their role's permissions, per
    method (``STAFF_PERMISSIONS``; another method needs the one a change needs)."""

    read_scope = ApiToken.Scope.READ
    write_scope = ApiToken.Scope.WRITE
    message = "Your credentials do not allow this."
    STAFF_PERMISSIONS = STAFF_PERMISSIONS

    def has_permission(self, request, view):
        user = request.user
        if isinstance(user, PartnerClient):
            scope = (
                self.read_scope if request.method in permissions.SAFE_METHODS else self.write_scope
            )
            if not user.has_scope(scope):
                self.message = f"This token lacks the '{scope}' scope."
                return False
            return True
        if not (user and user.is_authenticated and user.is_staff):
            return False
        needed = self.STAFF_PERMISSIONS
        return user.has_perm(needed.get(request.method, needed["PATCH"]))


class HubApiPermission(CustomerApiPermission):
    read_scope = ApiToken.Scope.EVENTS
    write_scope = ApiToken.Scope.EVENTS

    def has_permission(self, request, view):
        user = request.user
        if isinstance(user, PartnerClient):
            return super().has_permission(request, view)
        return bool(
            user
            and user.is_authenticated
            and user.is_staff
            and user.has_perm("partners.add_hubsubscription")
        )


def window_count(key: str, *, timeout: int) -> int:
    """Adds one to the counter ``key`` and returns it; a new counter expires after ``timeout``
    seconds. Atomic in the shared cache, so two workers never both count the same number.

    On Redis one round trip: INCR with EXPIRE NX in a pipeline. Django's own ``add`` then
    ``incr`` takes three (``incr`` asks EXISTS first) on every request of every partner."""
    backend = caches["default"]  # ``cache`` is a proxy to it, never a RedisCache itself
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, timeout, nx=True)
        count, _ = pipeline.execute()
        return count
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=timeout)
        return 1


class PartnerRateThrottle(throttling.BaseThrottle):
    """Each partner's requests per minute, over all its tokens and every server process.

    A fixed one-minute window counted with an atomic increment in the shared cache (Redis in
    production), so two workers never both let the same request through.
    """

    window_seconds = 60

    def allow_request(self, request, view):
        partner = partner_of(request)
        if partner is None:
            return True
        window = int(time.time() // self.window_seconds)
        count = window_count(f"api-rate:{partner.pk}:{window}", timeout=self.window_seconds * 2)
        if count > partner.rate_limit_per_minute:
            self._wait = self.window_seconds - time.time() % self.window_seconds
            return False
        return True

    def wait(self):
        return getattr(self, "_wait", self.window_seconds)
