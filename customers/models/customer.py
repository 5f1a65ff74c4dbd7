from django.conf import settings
from django.db import models


class CustomerNumberCounter(models.Model):
    """Issues customer numbers on databases without sequences (SQLite).

    PostgreSQL uses a real sequence instead (see the migration); both only ever move forward
    past a committed customer, so a number is never reused, even after a delete.
    """

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name} at {self.last_value}"


def default_currency() -> str:
    return settings.CRM_CURRENCY


class Customer(models.Model):
    """A party in the role of customer, with its place in the relationship lifecycle."""

    class Status(models.TextChoices):
        LEAD = "lead", "Lead"
        PROSPECT = "prospect", "Prospect"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        TERMINATED = "terminated", "Terminated"
        DISQUALIFIED = "disqualified", "Disqualified"
        MERGED = "merged", "Merged into another customer"

    class Segment(models.TextChoices):
        RESIDENTIAL = "residential", "Residential"
        SMALL_BUSINESS = "small_business", "Small business"
        ENTERPRISE = "enterprise", "Enterprise"
        WHOLESALE = "wholesale", "Wholesale"

    class PaymentMethod(models.TextChoices):
        DIRECT_DEBIT = "direct_debit", "Direct debit"
        CARD = "card", "Credit card"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CASH = "cash", "Cash / voucher"

    number = models.CharField(max_length=12, unique=True, editable=False)
    party = models.OneToOneField(
        "customers.Party", on_delete=models.PROTECT, related_name="customer"
    )
    name = models.CharField(
        max_length=220,
        blank=True,
        default="",
        help_text="The customer role's own name (TMF629 Customer.name), e.g. 'Acme, Berlin site'; "
        "empty means the party's name.",
    )
    description = models.TextField(
        blank=True, default="", help_text="What staff and partners should know about the role."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.LEAD)
    status_reason = models.CharField(max_length=40, blank=True)
    status_changed_at = models.DateTimeField()
    segment = models.CharField(max_length=16, choices=Segment.choices, default=Segment.RESIDENTIAL)
    payment_method = models.CharField(
        max_length=16, choices=PaymentMethod.choices, blank=True, default=""
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_customers",
        db_index=False,  # covered by customer_manager_idx
    )
    partner = models.ForeignKey(
        "customers.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        db_index=False,  # covered by customer_partner_idx
    )
    lead_source = models.CharField(max_length=40, blank=True)
    currency = models.CharField(
        max_length=3,
        default=default_currency,
        db_default="EUR",
        help_text="ISO 4217 code of the currency the customer is billed in; every amount of "
        "their billing facts (charges, invoices, payments, lifetime value) is in it.",
    )
    external_ref = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="The customer's id in the system it came from; makes imports re-runnable.",
    )
    partner_reference = models.CharField(
        max_length=64,
        blank=True,
        default="",
        help_text="The partner's own id for the customer, unique among that partner's customers.",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_customers",
        help_text="Set once the customer has been merged into another; it is then read-only.",
    )
    valid_from = models.DateTimeField(help_text="When the relationship began.")
    valid_to = models.DateTimeField(null=True, blank=True, help_text="When it last ended.")
    last_activity_at = models.DateTimeField(
        help_text="Last change or interaction: what makes a lead stale."
    )
    stale_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [
            ("qualify_customer", "Can qualify a lead"),
            ("establish_customer", "Can establish a customer relationship"),
            ("disqualify_customer", "Can disqualify a lead"),
            ("suspend_customer", "Can suspend a customer"),
            ("resume_customer", "Can resume a suspended customer"),
            ("terminate_customer", "Can terminate a customer relationship"),
            ("reestablish_customer", "Can re-establish a customer relationship"),
            ("merge_customer", "Can merge duplicate customers"),
        ]
        constraints = [
            # Also the index behind the API's ?externalReference= filter for a partner.
            models.UniqueConstraint(
                fields=["partner", "partner_reference"],
                condition=~models.Q(partner_reference=""),
                name="customer_partner_reference_unique",
            ),
        ]
        indexes = [
            # The list page filters on each of these and shows the newest first.
            models.Index(fields=["status", "-id"], name="customer_status_idx"),
            models.Index(fields=["segment", "-id"], name="customer_segment_idx"),
            # Status and segment together: the list's most common pair of filters.
            models.Index(fields=["status", "segment", "-id"], name="customer_status_segment_idx"),
            models.Index(fields=["partner", "-id"], name="customer_partner_idx"),
            # A partner's parties through its customers, newest party first (TMF632 lists).
            models.Index(fields=["partner", "-party"], name="customer_partner_party_idx"),
            # A partner's list through the API, filtered by status.
            models.Index(fields=["partner", "status", "-id"], name="customer_partner_status_idx"),
            models.Index(fields=["account_manager", "-id"], name="customer_manager_idx"),
            models.Index(fields=["created_at", "id"], name="customer_created_idx"),
            models.Index(
                fields=["last_activity_at"],
                name="customer_open_lead_idx",
                condition=models.Q(status="lead", stale_since__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.party.display_name}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("customers:detail", kwargs={"number": self.number})


class LifecycleEvent(models.Model):
    """One row per lifecycle transition: the customer's status history."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="lifecycle_events",
        db_index=False,  # covered by lifecycle_customer_idx
    )
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="lifecycle_customer_idx")]

    def __str__(self):
        return f"{self.action}: {self.from_status or '-'} -> {self.to_status}"


class CustomerAlias(models.Model):
    """The number of a customer merged into another: it keeps resolving to the survivor."""

    number = models.CharField(max_length=12, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="aliases"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "customer aliases"

    def __str__(self):
        return f"{self.number} → {self.customer_id}"
