from django.conf import settings
from django.db import models


class Consent(models.Model):
    """The customer's current answer for one channel and one purpose.

    Every change is also written to the action log, which keeps the full consent history.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"
        PHONE = "phone", "Phone call"
        POST = "post", "Post"
        PUSH = "push", "App notification"

    class Purpose(models.TextChoices):
        SERVICE = "service", "Service messages"
        MARKETING = "marketing", "Marketing"
        SURVEYS = "surveys", "Satisfaction surveys"
        PROFILING = "profiling", "Profiling and analytics"
        THIRD_PARTY = "third_party", "Sharing with partners"

    class Source(models.TextChoices):
        WEB = "web", "Web portal"
        STORE = "store", "Store"
        CALL_CENTRE = "call_centre", "Call centre"
        PAPER = "paper", "Paper form"
        API = "api", "Partner API"
        IMPORT = "import", "Import"

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="consents",
        db_index=False,  # covered by consent_one_per_channel_purpose
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    granted = models.BooleanField()
    source = models.CharField(max_length=12, choices=Source.choices)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["purpose", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "channel", "purpose"], name="consent_one_per_channel_purpose"
            )
        ]

    def __str__(self):
        verb = "grants" if self.granted else "refuses"
        return f"{verb} {self.get_purpose_display()} by {self.get_channel_display()}"


class CommunicationPreferences(models.Model):
    """Communication needs (language, channel, when to call) and reporting needs (statements)."""

    class StatementFormat(models.TextChoices):
        EMAIL = "email", "E-mail (PDF)"
        PORTAL = "portal", "Web portal only"
        PAPER = "paper", "Paper"

    class StatementFrequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(max_length=8, default="en", help_text="BCP 47 language tag")
    preferred_channel = models.CharField(
        max_length=8, choices=Consent.Channel.choices, default=Consent.Channel.EMAIL
    )
    contact_time_from = models.TimeField(null=True, blank=True)
    contact_time_to = models.TimeField(null=True, blank=True)
    contact_on_weekends = models.BooleanField(default=False)
    statement_format = models.CharField(
        max_length=8, choices=StatementFormat.choices, default=StatementFormat.EMAIL
    )
    statement_frequency = models.CharField(
        max_length=10, choices=StatementFrequency.choices, default=StatementFrequency.MONTHLY
    )
    itemised_statement = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "communication preferences"
        constraints = [
            # A window may span midnight (from 18:00 to 09:00) but cannot be empty.
            models.CheckConstraint(
                condition=models.Q(contact_time_from__isnull=True)
                | models.Q(contact_time_to__isnull=True)
                | ~models.Q(contact_time_from=models.F("contact_time_to")),
                name="preferences_contact_window_not_empty",
            )
        ]

    def __str__(self):
        return f"Preferences of {self.customer_id}"
