from django.conf import settings
from django.db import models
from django.urls import reverse

from customers.models import Customer


class Campaign(models.Model):
    """An offer or action for a set of customers, part of them held out at random as a control
    group, measured over ``window_months`` from its start."""

    class Action(models.TextChoices):
        CALL = "call", "Call"
        DISCOUNT = "discount", "Discount"
        PLAN_CHANGE = "plan_change", "Plan change"
        LOYALTY_REWARD = "loyalty_reward", "Loyalty reward"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=200)
    action = models.CharField(max_length=20, choices=Action.choices)
    offer = models.TextField(blank=True, help_text="What the treated customers are offered.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    control_share = models.PositiveSmallIntegerField(
        help_text="Percent of the customers held out as the control group."
    )
    window_months = models.PositiveSmallIntegerField(
        default=3, help_text="Months after the start over which saves are measured."
    )
    # The random split is reproducible from this seed and the members' customer ids.
    seed = models.BigIntegerField()
    treated_count = models.PositiveIntegerField(default=0)
    control_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [
            ("start_campaign", "Start and close retention campaigns"),
            ("record_outcome", "Record the outcome of a retention action"),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="campaign_newest_idx"),
            models.Index(fields=["status", "-created_at", "-id"], name="campaign_status_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("retention:detail", args=[self.pk])

    @property
    def member_count(self) -> int:
        return self.treated_count + self.control_count


class CampaignMember(models.Model):
    """A customer a campaign covers: treated or held out, what they looked like at the start
    and, for the treated, what came of the action."""

    class Group(models.TextChoices):
        TREATED = "treated", "Treated"
        CONTROL = "control", "Control"

    class Outcome(models.TextChoices):
        CONTACTED = "contacted", "Contacted"
        NOT_REACHED = "not_reached", "Not reached"
        ACCEPTED = "accepted", "Accepted the offer"
        DECLINED = "declined", "Declined the offer"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="campaign_memberships",
        db_index=False,  # covered by the two customer indexes below
    )
    group = models.CharField(max_length=8, choices=Group.choices)
    churn_risk_at_start = models.FloatField(null=True, blank=True)
    lifetime_value_at_start = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    status_at_start = models.CharField(max_length=12, choices=Customer.Status.choices)
    # True while the campaign runs: a customer is in one running campaign at most.
    in_running_campaign = models.BooleanField(default=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="member_once_per_campaign"
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(in_running_campaign=True),
                name="member_one_running_campaign",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "id"], name="member_campaign_page_idx"),
            models.Index(fields=["customer", "-id"], name="member_customer_idx"),
        ]

    def __str__(self):
        return f"{self.customer_id} in {self.campaign_id} ({self.group})"
