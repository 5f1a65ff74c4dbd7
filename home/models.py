"""Tallies behind the business figures of the home page, recounted each night.

The heavier figures (statuses over time, lifecycle moves, the lead funnel, touch points, value at
risk) would each read millions of rows; the nightly recount (``home.tallies``) adds them up once
into these small tables, and the page reads a few hundred rows. Each table is rewritten whole by
the recount, so running it twice leaves the same rows.
"""

from django.conf import settings
from django.db import models


class StatusTally(models.Model):
    """Customers per status and segment at the end of a month (this month: at the recount)."""

    month = models.DateField(help_text="The first day of the month.")
    segment = models.CharField(max_length=16)
    status = models.CharField(max_length=12)
    customers = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "segment", "status"], name="home_status_tally_unique"
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.segment} {self.status}: {self.customers}"


class MoveTally(models.Model):
    """Lifecycle moves in a month, by segment (a creation moves from no status to lead)."""

    month = models.DateField(help_text="The first day of the month.")
    segment = models.CharField(max_length=16)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    moves = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "segment", "from_status", "to_status"],
                name="home_move_tally_unique",
            )
        ]
        # The churn figure reads the terminations of a span of months.
        indexes = [models.Index(fields=["to_status", "month"], name="home_move_to_status_idx")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.from_status or '-'}→{self.to_status}: {self.moves}"


class FunnelTally(models.Model):
    """One step of the lead funnel over the twelve months before the recount, by lead source
    and segment: how many customers took it and the median days it took them."""

    class Step(models.TextChoices):
        LEAD = "lead", "Became a lead"
        PROSPECT = "prospect", "Lead to prospect"
        ACTIVE = "active", "To active customer"

    step = models.CharField(max_length=8, choices=Step.choices)
    segment = models.CharField(max_length=16, blank=True, help_text="Empty: every segment.")
    lead_source = models.CharField(max_length=40, blank=True, help_text="Empty: every source.")
    customers = models.PositiveIntegerField()
    median_days = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["step", "segment", "lead_source"], name="home_funnel_tally_unique"
            )
        ]

    def __str__(self):
        return f"{self.step} {self.segment or 'all'} {self.lead_source or 'all'}: {self.customers}"


class TouchPointTally(models.Model):
    """Interactions in a month by channel and type, and how many were settled at first contact
    (recorded as resolved or needing no action, not left open)."""

    month = models.DateField(help_text="The first day of the month.")
    channel = models.CharField(max_length=8)
    kind = models.CharField(max_length=10)
    interactions = models.PositiveIntegerField()
    resolved_first_contact = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "channel", "kind"], name="home_touch_point_tally_unique"
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.channel} {self.kind}: {self.interactions}"


class ValueAtRiskTally(models.Model):
    """Active customers with scores and their lifetime value at risk (value times churn risk),
    per value segment and account manager, as the latest scores stood at the recount: the
    page adds up the segments, and each manager's book is a few rows of its own."""

    value_segment = models.CharField(max_length=8)
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # covered by home_value_at_risk_manager_idx
    )
    customers = models.PositiveIntegerField()
    value_at_risk = models.DecimalField(max_digits=16, decimal_places=2)
    counted_at = models.DateTimeField()

    class Meta:
        # My work reads one manager's rows.
        indexes = [models.Index(fields=["account_manager"], name="home_value_at_risk_manager_idx")]

    def __str__(self):
        return f"{self.value_segment} of {self.account_manager_id}: {self.value_at_risk}"


class TallyRecount(models.Model):
    """When the tallies were last recounted: the page says how fresh its figures are."""

    counted_on = models.DateField(help_text="The day the figures stand at.")
    finished_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-finished_at"], name="home_recount_recent_idx")]

    def __str__(self):
        return f"Recount of {self.counted_on}"
