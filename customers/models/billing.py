from django.db import models


class Product(models.Model):
    """An offer from the catalogue that customers subscribe to."""

    class Family(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        BROADBAND = "broadband", "Broadband"
        FIXED_VOICE = "fixed_voice", "Fixed voice"
        TV = "tv", "TV"
        BUNDLE = "bundle", "Bundle"
        DEVICE = "device", "Device plan"
        ADD_ON = "add_on", "Add-on"

    class Option(models.TextChoices):
        # What an add-on (or a product that includes one) gives the customer: the family alone
        # cannot tell an international plan from voicemail, and churn depends on which it is.
        NONE = "", "None"
        INTERNATIONAL_CALLING = "international_calling", "International calling"
        VOICEMAIL = "voicemail", "Voicemail"
        ROAMING_PACK = "roaming_pack", "Roaming pack"
        DATA_PACK = "data_pack", "Data pack"
        DEVICE_PLAN = "device_plan", "Device plan"
        STREAMING = "streaming", "Streaming"
        SECURITY = "security", "Security"
        SUPPORT = "support", "Premium support"

    class Access(models.TextChoices):
        # The network a line reaches the customer over: customers on fibre and on copper leave
        # at rates their prices do not tell apart.
        NONE = "", "Not a line"
        FIBRE = "fibre", "Fibre"
        COPPER = "copper", "Copper (DSL)"
        CABLE = "cable", "Cable"
        FIXED_WIRELESS = "fixed_wireless", "Fixed wireless"
        SATELLITE = "satellite", "Satellite"

    code = models.CharField(max_length=30, unique=True)
    name = models.CharField(max_length=120)
    family = models.CharField(max_length=12, choices=Family.choices)
    option = models.CharField(
        max_length=24,
        choices=Option.choices,
        blank=True,
        default=Option.NONE,
        help_text="The option this product gives, for add-ons such as an international plan.",
    )
    access = models.CharField(
        max_length=16,
        choices=Access.choices,
        blank=True,
        default=Access.NONE,
        help_text="The network a broadband or fixed-line product is delivered over.",
    )
    list_price = models.DecimalField(max_digits=9, decimal_places=2)
    # What the enterprise keeps of each monthly euro: the basis of lifetime value.
    margin_rate = models.DecimalField(max_digits=4, decimal_places=3, default=0.35)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family", "name"]

    def __str__(self):
        return self.name


class Subscription(models.Model):
    """A product held by a customer: what they pay for each month and under which contract."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending activation"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        TERMINATED = "terminated", "Terminated"

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="subscriptions",
        db_index=False,  # covered by subscription_customer_idx
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="subscriptions")
    service_id = models.CharField(
        max_length=40, blank=True, help_text="MSISDN, line or account id in the network."
    )
    monthly_charge = models.DecimalField(max_digits=9, decimal_places=2)
    contract_term_months = models.PositiveSmallIntegerField(
        default=0, help_text="0 for month-to-month."
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    external_ref = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="The subscription's id in the ordering system; makes imports re-runnable.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["customer", "status"], name="subscription_customer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(monthly_charge__gte=0), name="subscription_charge_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="subscription_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.product} ({self.get_status_display()})"


class Invoice(models.Model):
    """A bill issued to the customer, as reported by the billing system."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="invoices",
        db_index=False,  # covered by invoice_customer_idx
    )
    number = models.CharField(max_length=30, unique=True)
    period_start = models.DateField()
    issued_on = models.DateField()
    due_on = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    paid_amount = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    paid_on = models.DateField(null=True, blank=True, help_text="When it was paid in full.")
    missed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the daily job found it unpaid after its due date (payment missed).",
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [
            # With what the scoring features read of each invoice: a chunk of customers' invoices
            # is read from the index alone, not a heap page per invoice.
            models.Index(
                fields=["customer", "-issued_on"],
                include=["due_on", "paid_on", "amount"],
                name="invoice_customer_idx",
            ),
            # The daily missed-payment job: unpaid invoices not yet found missed, by due date.
            models.Index(
                fields=["due_on", "id"],
                name="invoice_unpaid_unmissed_idx",
                condition=models.Q(paid_on__isnull=True, missed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("issued_on")),
                name="invoice_due_after_issue",
            ),
            models.CheckConstraint(
                condition=models.Q(paid_amount__gte=0), name="invoice_paid_not_negative"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def open_amount(self):
        return max(self.amount - self.paid_amount, 0)

    @property
    def days_late(self) -> int | None:
        """Days past due when it was paid; None while unpaid."""
        if self.paid_on is None:
            return None
        return max((self.paid_on - self.due_on).days, 0)


class Payment(models.Model):
    """Money received from the customer, allocated to an invoice when known."""

    class Method(models.TextChoices):
        DIRECT_DEBIT = "direct_debit", "Direct debit"
        CARD = "card", "Card"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CASH = "cash", "Cash"

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="payments",
        db_index=False,  # covered by payment_customer_idx
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    received_on = models.DateField()
    method = models.CharField(max_length=16, choices=Method.choices)
    reference = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["customer", "-received_on"], name="payment_customer_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")
        ]

    def __str__(self):
        return self.reference
