import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from crm.sealed import EncryptedTextField
from customers.models.partner import Partner


class ApiToken(models.Model):
    """A partner's API credential. Only a hash is stored; the token is shown once, at issue.

    A token reads ``crm_<prefix>_<secret>``: the prefix finds the row with one indexed lookup
    and identifies the token in lists and logs, the secret is never stored.
    """

    class Scope(models.TextChoices):
        READ = "customer:read", "Read customers"
        WRITE = "customer:write", "Create, change and delete customers"
        EVENTS = "hub:manage", "Register and remove event subscriptions"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'billing sync'.")
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, help_text="SHA-256 of the whole token.")
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when the token was rotated: the old one's last day."
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "customers_apitoken"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} (crm_{self.prefix}_…)"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    @property
    def is_read_only(self) -> bool:
        return self.Scope.WRITE not in self.scopes


class HubSubscription(models.Model):
    """A TMF Hub: a callback that hears of changes, in one API, to what its owner may see.

    Each API has its own hubs (TMF629 customers, TMF632 parties, TMF683 interactions). A
    partner's hub hears of that partner's customers, parties and interactions; a hub registered
    by staff hears of all. Removing a hub keeps it (and its delivery log) and stops deliveries.
    """

    class Api(models.TextChoices):
        CUSTOMER = "customerManagement", "TMF629 Customer Management"
        PARTY = "partyManagement", "TMF632 Party Management"
        INTERACTION = "partyInteraction", "TMF683 Party Interaction"
        PRIVACY = "privacyManagement", "TMF644 Privacy Management"

    api = models.CharField(max_length=20, choices=Api.choices, default=Api.CUSTOMER)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.CASCADE, related_name="hubs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    callback = models.URLField(max_length=500)
    query = models.CharField(
        max_length=500,
        blank=True,
        help_text="Which events to send, e.g. 'eventType=CustomerStateChangeEvent'; all if empty.",
    )
    secret = EncryptedTextField(
        help_text="Signs every delivery (HMAC-SHA256), so the receiver can trust it. "
        "Stored encrypted under CRM_SECRETS_KEY.",
    )
    previous_secret = EncryptedTextField(
        blank=True, help_text="The secret before the last rotation, signing beside the new one."
    )
    previous_secret_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="When the previous secret stops signing deliveries."
    )
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "customers_hubsubscription"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["partner"], name="hub_live_partner_idx", condition=models.Q(deleted_at=None)
            )
        ]

    def __str__(self):
        return self.callback

    def signing_secrets(self, at=None) -> list[str]:
        """The secrets a delivery is signed with: the current one, then, for the overlap after
        a rotation, the previous one."""
        at = at or timezone.now()
        expires = self.previous_secret_expires_at
        overlapping = self.previous_secret and expires is not None and expires > at
        return [self.secret, self.previous_secret] if overlapping else [self.secret]

    @property
    def previous_secret_until(self):
        """When the previous secret stops signing, while it still does; else None."""
        expires = self.previous_secret_expires_at
        return expires if self.previous_secret and expires and expires > timezone.now() else None

    @property
    def event_types(self) -> set[str]:
        """The event types the query asks for; empty means every type."""
        wanted = set()
        for part in self.query.split("&"):
            key, _, value = part.partition("=")
            if key.strip() == "eventType":
                wanted.update(v.strip() for v in value.split(",") if v.strip())
        return wanted


class HubEvent(models.Model):
    """An event as the hub sends it (the TMF envelope), written with the change that caused it.

    It holds the customer's id as a plain number: a delete event outlives its customer. A party
    with no customer role yet has none.
    """

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    api = models.CharField(
        max_length=20, choices=HubSubscription.Api.choices, default=HubSubscription.Api.CUSTOMER
    )
    event_type = models.CharField(max_length=60)
    customer_id = models.BigIntegerField(null=True, blank=True)
    partner = models.ForeignKey(
        Partner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField()
    occurred_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "customers_hubevent"
        ordering = ["-occurred_at", "-id"]
        # The events about one customer: their subject-access export and their erasure.
        indexes = [
            models.Index(
                fields=["customer_id"],
                name="hubevent_customer_idx",
                condition=models.Q(customer_id__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class HubDelivery(models.Model):
    """One event sent to one hub: the delivery log staff read and replay from."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Failed for good"
        CANCELLED = "cancelled", "Cancelled (hub removed)"

    event = models.ForeignKey(HubEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        HubSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "customers_hubdelivery"
        ordering = ["-id"]
        verbose_name_plural = "hub deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="hub_delivery_once_per_hub"
            )
        ]
        indexes = [
            # The sweep that sends what is due (and what a lost message left behind).
            models.Index(
                fields=["next_attempt_at"],
                name="hub_delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
            # The delivery log, filtered by status, newest first.
            models.Index(fields=["status", "-id"], name="hub_delivery_status_idx"),
            models.Index(fields=["subscription", "-id"], name="hub_delivery_hub_idx"),
        ]

    def __str__(self):
        return f"{self.event} to {self.subscription}: {self.status}"
