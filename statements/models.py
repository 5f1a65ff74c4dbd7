"""Statements and the monthly runs that write them (a job kind of ``crm.jobs``)."""

from django.db import models

from crm.jobs.models import JobChunk, JobRun
from customers.models import CommunicationPreferences

Format = CommunicationPreferences.StatementFormat
Frequency = CommunicationPreferences.StatementFrequency


class StatementRun(JobRun):
    """The statements of one month (``period``, "2026-11") for every customer due then."""

    period = models.CharField(max_length=7, help_text="The month closed, as YYYY-MM.")
    requested_label = models.CharField(max_length=150, blank=True)
    statements_written = models.PositiveIntegerField(default=0)

    class Meta(JobRun.Meta):
        ordering = ["-requested_at", "-id"]
        permissions = [("start_statementrun", "Can start a statement run")]

    def __str__(self):
        return f"Statement run {self.pk} for {self.period}"


class StatementChunk(JobChunk):
    """One range of customer ids of a run."""

    run = models.ForeignKey(StatementRun, on_delete=models.CASCADE, related_name="chunks")
    statements_written = models.PositiveIntegerField(default=0)

    class Meta(JobChunk.Meta):
        pass


class Statement(models.Model):
    """What one customer was billed and paid over one period, and what they owe after it.

    The figures are kept as columns (for lists and the portal) and as the two documents the
    customer receives; both are written from the same figures, once, and never change: a
    correction of the billing facts shows on the next statement's opening balance.
    """

    Format = Format
    Frequency = Frequency

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="statements",
        db_index=False,  # covered by statement_one_per_customer_period
    )
    period = models.CharField(
        max_length=7, help_text="The month the statement closes with, as YYYY-MM."
    )
    period_start = models.DateField()
    period_end = models.DateField()
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    format = models.CharField(
        max_length=8, choices=Format.choices, help_text="How the customer receives it."
    )
    itemised = models.BooleanField(default=False)
    language = models.CharField(max_length=8, help_text="BCP 47 language of the documents.")
    currency = models.CharField(max_length=3, help_text="ISO 4217 code of every amount.")
    opening_balance = models.DecimalField(max_digits=12, decimal_places=2)
    invoiced = models.DecimalField(max_digits=12, decimal_places=2)
    paid = models.DecimalField(max_digits=12, decimal_places=2)
    closing_balance = models.DecimalField(max_digits=12, decimal_places=2)
    invoice_count = models.PositiveIntegerField(default=0)
    payment_count = models.PositiveIntegerField(default=0)
    html_file = models.FileField(max_length=200, blank=True)
    pdf_file = models.FileField(max_length=200, blank=True)
    generated_at = models.DateTimeField()
    run = models.ForeignKey(
        StatementRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    delivered_at = models.DateTimeField(
        null=True, blank=True, help_text="When the PDF went out by e-mail (format e-mail only)."
    )

    class Meta:
        ordering = ["-period", "-id"]
        constraints = [
            # Running a period twice, or a chunk delivered twice, never writes a second one;
            # also the index of a customer's statements, newest first.
            models.UniqueConstraint(
                fields=["customer", "period"], name="statement_one_per_customer_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="statement_period_ends_after_start",
            ),
        ]
        indexes = [
            # E-mails still owed (the delivery seam), oldest first.
            models.Index(
                fields=["generated_at"],
                name="statement_delivery_due_idx",
                condition=models.Q(format="email", delivered_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"Statement {self.period} of customer {self.customer_id}"
