from django.conf import settings
from django.db import models


class ActionLog(models.Model):
    """Who did what, when, with which data. The customer timeline and the audit trail read it."""

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="action_log",
        db_index=False,  # covered by actionlog_customer_idx
    )
    action = models.CharField(max_length=60, help_text="Dotted name, e.g. customer.terminated")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_label = models.CharField(
        max_length=150, blank=True, help_text="The user, partner or job that acted."
    )
    partner = models.ForeignKey(
        "customers.Partner",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # covered by actionlog_partner_idx
        help_text="The partner that acted through the API, or whose on-boarding this records.",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="actionlog_customer_idx"),
            models.Index(
                fields=["partner", "-created_at"],
                name="actionlog_partner_idx",
                condition=models.Q(partner__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_label or 'system'}"
