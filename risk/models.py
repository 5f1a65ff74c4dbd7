"""Value and risk: versioned models, scoring runs and the score history.

The newest scores of each customer also sit in ``customers.LatestScores``, where the customer
list filters and sorts on them; this app keeps how they were made and every earlier score.
"""

from django.conf import settings
from django.db import models

from crm.jobs.models import JobChunk, JobRun


class ScoreKind(models.TextChoices):
    CHURN = "churn", "Churn risk"
    CREDIT = "credit", "Credit"
    FRAUD = "fraud", "Fraud risk"
    INFLUENCE = "influence", "Influence"
    VALUE = "value", "Lifetime value"


# The models fitted on the CRM's history; the others are expert rules with fixed parameters.
LEARNED_KINDS = (ScoreKind.CHURN, ScoreKind.CREDIT)


class RiskModel(models.Model):
    """One trained version of a model: its artifact, the data it learned from, its metrics."""

    kind = models.CharField(max_length=10, choices=ScoreKind.choices)
    version = models.PositiveIntegerField()
    # Plain numbers (weights, bins, points), not a pickle: loading a model never runs code.
    artifact = models.JSONField(help_text="The fitted parameters the scorer reads.")
    as_of = models.DateField(help_text="Features were taken as of this day.")
    horizon_days = models.PositiveSmallIntegerField(
        help_text="Outcomes were read from this many days after as_of."
    )
    training_rows = models.PositiveIntegerField()
    metrics = models.JSONField(default=dict, blank=True)
    reference = models.JSONField(
        default=dict,
        blank=True,
        help_text="What its training looked like, for drift: per feature the bins and the share "
        "of customers in each, and the same for its scores on the held-out customers.",
    )
    trained_at = models.DateTimeField()
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    trained_by_label = models.CharField(
        max_length=150, help_text="The user, command or job that trained it."
    )
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When it last became the active version; a roll back returns to the version "
        "active before the current one.",
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="riskmodel_version_unique"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(is_active=True),
                name="riskmodel_one_active_per_kind",
            ),
        ]
        permissions = [("train_riskmodel", "Can train and activate value and risk models")]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version}"


class ScoringRun(JobRun):
    """A scoring of the whole base, split into chunks of customer ids any worker can take."""

    as_of = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    requested_label = models.CharField(max_length=150, blank=True)
    customers_total = models.PositiveIntegerField(default=0)
    customers_scored = models.PositiveIntegerField(default=0)
    models_used = models.JSONField(default=dict, help_text="Model version id per kind.")
    value_thresholds = models.JSONField(
        default=dict, blank=True, help_text="Lifetime values that open the top and high segments."
    )
    drift = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per learned model: the population stability index (PSI) of its score and of "
        "each feature against the model's training, settled when the run ends.",
    )

    shared_keys_counted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the customers sharing an e-mail, phone or address were counted for the "
        "fraud score, once for the whole base.",
    )

    class Meta(JobRun.Meta):
        ordering = ["-requested_at", "-id"]
        permissions = [("start_scoringrun", "Can start a scoring run or rescore a customer")]

    def __str__(self):
        return f"Scoring run {self.pk} ({self.get_status_display()})"


class ScoringChunk(JobChunk):
    """A range of customer ids of one run; scored and marked done in one transaction."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="chunks")
    customers_scored = models.PositiveIntegerField(default=0)
    # Written in the transaction that marks the chunk done, replacing, never adding to: a chunk
    # delivered twice counts once.
    drift_counts = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per learned model: customers per bin of its reference, by feature and score.",
    )

    class Meta(JobChunk.Meta):
        pass

    def __str__(self):
        return f"Run {self.run_id}: customers {self.first_id}-{self.last_id}"


class SharedKeyCount(models.Model):
    """For one scoring run, how many unrelated customers share an e-mail or phone, and the
    street address, of a customer who shares any (see ``risk.fraud_signals``). Only the newest
    run's counts are kept."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="+")
    # Indexed for the erasure of a customer, whose counts go with it.
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    shared_contact = models.PositiveIntegerField()
    shared_address = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "customer"], name="shared_key_count_once")
        ]

    def __str__(self):
        return f"Run {self.run_id}: customer {self.customer_id}"


class RetrainRun(JobRun):
    """The monthly retrain of the learned models as challengers: one chunk per kind."""

    period = models.DateField(help_text="The first day of the month it retrains for.")
    requested_label = models.CharField(max_length=150, blank=True)
    models_trained = models.PositiveSmallIntegerField(default=0)

    class Meta(JobRun.Meta):
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["period"], name="retrainrun_period_idx")]

    def __str__(self):
        return f"Challenger retrain of {self.period:%B %Y} ({self.get_status_display()})"


class RetrainChunk(JobChunk):
    """One learned kind of a retrain run; its "range" is the kind's place in LEARNED_KINDS."""

    run = models.ForeignKey(RetrainRun, on_delete=models.CASCADE, related_name="chunks")
    kind = models.CharField(max_length=10, choices=ScoreKind.choices)
    models_trained = models.PositiveSmallIntegerField(default=0)
    model = models.ForeignKey(
        RiskModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=500, blank=True)

    class Meta(JobChunk.Meta):
        pass

    def __str__(self):
        return f"Retrain {self.run_id}: {self.kind}"


class CustomerScore(models.Model):
    """All five scores of one customer at one moment, with their reasons: the score history.

    Rows are only ever added. A run's chunk writes its rows in the same transaction that marks
    the chunk done, so a chunk delivered twice writes them once.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="score_history",
        db_index=False,  # covered by customerscore_customer_idx
    )
    run = models.ForeignKey(
        ScoringRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scores",
        help_text="Empty for a single-customer rescore.",
    )
    scored_at = models.DateTimeField()
    churn_risk = models.FloatField()
    credit_score = models.PositiveSmallIntegerField()
    credit_rating = models.CharField(max_length=2)
    fraud_risk = models.FloatField()
    influence = models.FloatField()
    lifetime_value = models.DecimalField(max_digits=12, decimal_places=2)
    network_reach = models.FloatField(
        default=0, help_text="PageRank in the relationship graph; 1.0 is the average customer."
    )
    # The value segment is a rank within the whole base, settled when a run ends; it lives
    # with the latest scores only.
    reasons = models.JSONField(default=dict, help_text="Readable reasons per kind.")
    models_used = models.JSONField(default=dict, help_text="Model version id per kind.")

    class Meta:
        ordering = ["-scored_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-scored_at"], name="customerscore_customer_idx"),
            models.Index(fields=["run"], name="customerscore_run_idx"),
        ]

    def __str__(self):
        return f"Scores of customer {self.customer_id} at {self.scored_at:%Y-%m-%d %H:%M}"


class CreditApplication(models.Model):
    """What a customer declared when applying for credit (a contract with a device, a
    post-paid line): the application side of the credit scorecard."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="credit_applications"
    )
    applied_on = models.DateField()
    characteristics = models.JSONField(
        help_text="Declared facts by name, e.g. {'employment_years': 4, 'housing': 'own'}."
    )
    external_ref = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-applied_on", "-id"]

    def __str__(self):
        return f"Credit application of customer {self.customer_id} on {self.applied_on}"


class RescoreRequest(models.Model):
    """A customer waiting for a rescore after an event that matters.

    Written in the same transaction as the event, so a rescore is never lost when the broker is
    down; one row per customer, so a burst of events shares one rescore. The rescore removes
    the row in the transaction that writes the scores.
    """

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="rescore_request",
    )
    requested_at = models.DateTimeField()
    reasons = models.JSONField(default=list, help_text="The events that asked for it.")

    class Meta:
        indexes = [models.Index(fields=["requested_at"], name="rescorerequest_age_idx")]

    def __str__(self):
        return f"Rescore of customer {self.customer_id} requested at {self.requested_at}"
