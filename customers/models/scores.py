from django.db import models


class LatestScores(models.Model):
    """A customer's newest value and risk scores, kept beside the customer for lists.

    The risk app computes and writes them (its history keeps every earlier score); the customer
    list filters and sorts on them here. A narrow table of its own keeps a nightly rewrite of a
    million rows from touching the customer table and its many indexes.
    """

    class ValueSegment(models.TextChoices):
        TOP = "top", "Top 5 %"
        HIGH = "high", "Next 15 %"
        STANDARD = "standard", "Rest"

    class CreditRating(models.TextChoices):
        # Bands of the chance of default within a year, as the credit scorecard assigns them.
        A = "A", "A: under 2 % default risk"
        B = "B", "B: 2 to 5 %"
        C = "C", "C: 5 to 10 %"
        D = "D", "D: 10 to 20 %"
        E = "E", "E: 20 % or more"

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="latest_scores",
    )
    churn_risk = models.FloatField(help_text="Probability of leaving in the next 90 days.")
    credit_score = models.PositiveSmallIntegerField()
    credit_rating = models.CharField(max_length=2, choices=CreditRating.choices)
    fraud_risk = models.FloatField()
    influence = models.FloatField(help_text="Expected churn this customer could pull with them.")
    lifetime_value = models.DecimalField(max_digits=12, decimal_places=2)
    value_segment = models.CharField(max_length=8, choices=ValueSegment.choices)
    value_at_risk = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text="Lifetime value times churn risk: what is lost if nothing is done.",
    )
    scored_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "latest scores"
        # Each list sort ends in the customer id, so the index serves it page after page. Only
        # what the pages sort or filter on is indexed: every index costs the nightly rewrite.
        indexes = [
            # The retention work list: the most value at risk first.
            models.Index(fields=["-value_at_risk", "-customer"], name="scores_retention_idx"),
            models.Index(fields=["-churn_risk", "-customer"], name="scores_churn_idx"),
            models.Index(fields=["-fraud_risk", "-customer"], name="scores_fraud_idx"),
            models.Index(fields=["-lifetime_value", "-customer"], name="scores_value_idx"),
            models.Index(fields=["credit_rating", "credit_score"], name="scores_credit_idx"),
        ]

    def __str__(self):
        return f"Scores of customer {self.customer_id}"
