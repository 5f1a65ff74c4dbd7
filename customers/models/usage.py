from django.core.exceptions import ValidationError
from django.db import models

# Minutes and megabytes are decimals, as the rating system reports them: a re-sent file must
# compare and replace exactly, and totals over months must not drift the way floats do. Counts are
# whole numbers.
_QUANTITY = {"max_digits": 12, "decimal_places": 2, "default": 0}

QUANTITY_FIELDS = (
    "voice_minutes_day",
    "voice_minutes_evening",
    "voice_minutes_night",
    "voice_minutes_international",
    "roaming_minutes",
    "roaming_data_mb",
    "data_mb",
)
COUNT_FIELDS = (
    "voice_calls_day",
    "voice_calls_evening",
    "voice_calls_night",
    "voice_calls_international",
    "sms_count",
    "voicemail_messages",
    "service_calls",
)
MEASURE_FIELDS = (
    "voice_minutes_day",
    "voice_calls_day",
    "voice_minutes_evening",
    "voice_calls_evening",
    "voice_minutes_night",
    "voice_calls_night",
    "voice_minutes_international",
    "voice_calls_international",
    "roaming_minutes",
    "roaming_data_mb",
    "data_mb",
    "sms_count",
    "voicemail_messages",
    "service_calls",
)


def month_first_day_validate(value) -> None:
    if value is not None and value.day != 1:
        raise ValidationError(
            "A usage month is given by its first day.", code="month_not_first_day"
        )


class UsageSummary(models.Model):
    """A customer's use of one product during one calendar month, as mediation reports it.

    Calls, minutes and data by period and destination, roaming, SMS, voicemail and calls to
    customer service: the habits churn depends on. One row per customer, product and month; a
    re-sent month replaces the row rather than adding to it.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="usage_summaries",
        db_index=False,  # covered by usage_customer_month_product_uniq
    )
    product = models.ForeignKey(
        "customers.Product", on_delete=models.PROTECT, related_name="usage_summaries"
    )
    month = models.DateField(
        validators=[month_first_day_validate], help_text="The first day of the month used."
    )
    voice_minutes_day = models.DecimalField(**_QUANTITY)
    voice_calls_day = models.PositiveIntegerField(default=0)
    voice_minutes_evening = models.DecimalField(**_QUANTITY)
    voice_calls_evening = models.PositiveIntegerField(default=0)
    voice_minutes_night = models.DecimalField(**_QUANTITY)
    voice_calls_night = models.PositiveIntegerField(default=0)
    voice_minutes_international = models.DecimalField(**_QUANTITY)
    voice_calls_international = models.PositiveIntegerField(default=0)
    roaming_minutes = models.DecimalField(**_QUANTITY)
    roaming_data_mb = models.DecimalField(**_QUANTITY)
    data_mb = models.DecimalField(**_QUANTITY)
    sms_count = models.PositiveIntegerField(default=0)
    voicemail_messages = models.PositiveIntegerField(default=0)
    service_calls = models.PositiveIntegerField(
        default=0, help_text="Calls the customer made to customer service."
    )
    external_ref = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        help_text="The summary's id in the mediation system; makes imports re-runnable.",
    )
    recorded_at = models.DateTimeField(auto_now=True)

    QUANTITY_FIELDS = QUANTITY_FIELDS
    COUNT_FIELDS = COUNT_FIELDS
    MEASURE_FIELDS = MEASURE_FIELDS

    class Meta:
        ordering = ["-month", "product_id"]
        verbose_name_plural = "usage summaries"
        constraints = [
            # One row per customer, product and month. Ordered customer, month, product, the
            # one index also serves the feature read (a chunk of customers, their last months)
            # and the customer page: a second (customer, month) index would double the upkeep
            # of the largest fact table.
            models.UniqueConstraint(
                fields=["customer", "month", "product"], name="usage_customer_month_product_uniq"
            ),
            # Unique where given; most rows have none and stay out of the index.
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=models.Q(external_ref__isnull=False),
                name="usage_external_ref_uniq",
            ),
            models.CheckConstraint(condition=models.Q(month__day=1), name="usage_month_first_day"),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{name}__gte": 0}), name=f"usage_{name}_not_negative"
                )
                for name in QUANTITY_FIELDS
            ),
        ]

    def __str__(self):
        return f"{self.product_id} {self.month:%Y-%m}"
