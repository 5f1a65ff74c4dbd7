from django.db import models
from django.utils import timezone


class Partner(models.Model):
    """A wholesale organisation (reseller, MVNO) that owns and manages its own customers.

    It applies (or staff create it), is validated and approved, and only then may its API
    credentials be used. It can be suspended and reinstated, and terminated for good.
    """

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        VALIDATED = "validated", "Validated"
        APPROVED = "approved", "Approved"
        SUSPENDED = "suspended", "Suspended"
        TERMINATED = "terminated", "Terminated"

    name = models.CharField(max_length=200, unique=True)
    registration_number = models.CharField(max_length=40, blank=True)
    contact_name = models.CharField(max_length=200, blank=True)
    contact_email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    status_reason = models.CharField(max_length=200, blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    rate_limit_per_minute = models.PositiveIntegerField(
        default=600, help_text="API requests allowed per minute, over all of the partner's tokens."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        # The partner list's sorts, alone and under its status filter (the name's own unique
        # index serves the name sort alone).
        indexes = [
            models.Index(fields=["created_at", "id"], name="partner_created_idx"),
            models.Index(fields=["status", "created_at", "id"], name="partner_status_created_idx"),
            models.Index(fields=["status", "name"], name="partner_status_name_idx"),
        ]
        permissions = [
            ("approve_partner", "Can validate, approve, suspend and terminate partners"),
            ("manage_partner_tokens", "Can issue, rotate and revoke partner API tokens"),
        ]

    def __str__(self):
        return self.name

    @property
    def may_use_api(self) -> bool:
        return self.status == self.Status.APPROVED
