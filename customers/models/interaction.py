from django.conf import settings
from django.db import models


class Interaction(models.Model):
    """A touch point with the customer on any channel."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "E-mail"
        WEB = "web", "Web portal"
        STORE = "store", "Store"
        CHAT = "chat", "Chat"
        SOCIAL = "social", "Social media"
        SMS = "sms", "SMS"
        FIELD = "field", "Field visit"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    class Kind(models.TextChoices):
        INQUIRY = "inquiry", "Inquiry"
        COMPLAINT = "complaint", "Complaint"
        ORDER = "order", "Order"
        BILLING = "billing", "Billing"
        SUPPORT = "support", "Technical support"
        SALES = "sales", "Sales"
        RETENTION = "retention", "Retention"
        SURVEY = "survey", "Survey"

    class Outcome(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        ESCALATED = "escalated", "Escalated"
        FOLLOW_UP = "follow_up", "Follow-up needed"
        NO_ACTION = "no_action", "No action needed"

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,  # covered by interaction_customer_idx
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    summary = models.TextField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.RESOLVED)
    closed_at = models.DateTimeField(null=True, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_interactions",
        db_index=False,  # covered by interaction_open_owner_idx
        help_text="Who sees an open interaction through to its resolution.",
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="closed_interactions",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # With the kind the scoring features count by: read from the index alone.
            models.Index(
                fields=["customer", "-occurred_at"],
                include=["kind"],
                name="interaction_customer_idx",
            ),
            models.Index(fields=["kind", "occurred_at"], name="interaction_kind_idx"),
            # Everyone's interactions newest first: staff's API list, a big partner's list (walked
            # in order, keeping its customers' rows) and a date range.
            models.Index(fields=["-occurred_at", "-id"], name="interaction_recent_idx"),
            # The open interactions list, everyone's or one owner's, oldest first.
            models.Index(
                fields=["owner", "occurred_at"],
                name="interaction_open_owner_idx",
                condition=models.Q(closed_at__isnull=True),
            ),
            models.Index(
                fields=["occurred_at"],
                name="interaction_open_idx",
                condition=models.Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.get_channel_display()}"
