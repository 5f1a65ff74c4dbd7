"""Lifecycle messages: the wording managers edit, and the outbox of messages to customers."""

from django.conf import settings
from django.db import models


class Event(models.TextChoices):
    """What a lifecycle message tells the customer about."""

    WELCOME = "welcome", "Welcome (relationship established)"
    SUSPENSION = "suspension", "Suspension notice"
    TERMINATION = "termination", "Termination confirmation"
    WELCOME_BACK = "welcome_back", "Welcome back (re-established)"
    CONTACT_CHANGE = "contact_change", "Contact details changed"
    STATEMENT = "statement", "Statement by e-mail"
    PAYMENT_OVERDUE = "payment_overdue", "Payment overdue (before suspension)"


class Language(models.TextChoices):
    # The languages the customer-facing texts exist in (as the surveys' do).
    EN = "en", "English"
    DE = "de", "Deutsch"
    FR = "fr", "Français"
    ES = "es", "Español"


class MessageTemplate(models.Model):
    """A manager's wording of one event's message in one language. Without a row the default
    wording (messaging/defaults.py) is used, so a new install sends sensible messages at once."""

    event = models.CharField(max_length=20, choices=Event.choices)
    language = models.CharField(max_length=2, choices=Language.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["event", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language"], name="message_template_one_per_event_language"
            )
        ]

    def __str__(self):
        return f"{self.get_event_display()} ({self.language})"


class OutboundMessage(models.Model):
    """One message to one customer, written in the transaction of the change it is about (the
    outbox) and rendered then, so it tells what that change was even if it waits for hours.

    ``pending`` until a worker claims it (``sending``), ``sent`` once it went out and was
    recorded as an interaction; ``withdrawn`` when the consent was taken back before it went;
    ``failed`` when it can never go (its attachment is no longer stored), with ``last_error``
    saying why.

    An attachment is a file another app keeps in the default storage (a statement's PDF): the
    message names it and reads it when it is sent, it never owns it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        WITHDRAWN = "withdrawn", "Not sent: consent withdrawn"
        FAILED = "failed", "Not sent: failed"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="outbound_messages"
    )
    event = models.CharField(max_length=20, choices=Event.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(max_length=254)
    language = models.CharField(max_length=2, choices=Language.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    # The earliest moment the customer's contact times allow it to go out.
    due_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    interaction = models.ForeignKey(
        "customers.Interaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One file sent along, by its name in the default storage (not a FileField: the file is
    # the owning app's, deleted by its rules, never by the message's).
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_filename = models.CharField(
        max_length=100, blank=True, help_text="The name the customer saves the file under."
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The sweep's question: what is pending and due, or claimed and abandoned.
            models.Index(
                fields=["due_at"],
                name="outbound_message_waiting_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["customer", "-created_at"], name="outbound_message_customer_idx"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} to {self.customer_id} by {self.channel}"


class OverdueNotice(models.Model):
    """An invoice a payment-overdue notice told the customer about. One row per invoice (the
    key): a missed payment announced again is not told again, and the message names only the
    invoices no earlier notice did."""

    invoice = models.OneToOneField("customers.Invoice", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        OutboundMessage, on_delete=models.CASCADE, related_name="overdue_notices"
    )

    def __str__(self):
        return f"Overdue notice {self.message_id} for invoice {self.invoice_id}"
