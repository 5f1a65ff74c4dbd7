"""Start a campaign, record what came of each action, close it.

A campaign starts for many customers at once: one query reads who can join, a seeded shuffle
holds out the control group, one bulk copy (crm.bulk) writes the members, all in one transaction. A
customer is in one running campaign at most (a partial unique index says so even when two
campaigns start at the same moment); one already in a running campaign is skipped and counted.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from crm.bulk import bulk_copy
from customers.models import Customer
from customers.services.audit import action_log_record

from ..models import Campaign, CampaignMember

START_PERMISSION = "retention.start_campaign"
OUTCOME_PERMISSION = "retention.record_outcome"
# Whoever can still leave: a terminated or merged-away customer has nothing to be saved from,
# a lead or prospect nothing to leave yet.
ELIGIBLE_STATUSES = frozenset({Customer.Status.ACTIVE, Customer.Status.SUSPENDED})
CONTROL_SHARE_MIN, CONTROL_SHARE_MAX = 5, 50
WINDOW_MONTHS_MAX = 24
# The columns a start writes, as tuples: building a model instance per member would cost more
# than the insert.
MEMBER_FIELDS = (
    "campaign_id",
    "customer_id",
    "group",
    "churn_risk_at_start",
    "lifetime_value_at_start",
    "status_at_start",
    "in_running_campaign",
    "outcome",
    "outcome_note",
)
# A recorded time a little ahead of the server's clock is the agent's clock, not a lie.
_CLOCK_SLACK = timedelta(minutes=5)


def control_count(members: int, control_share: int) -> int:
    """How many of ``members`` are held out for a share in percent, rounded half up."""
    return (members * control_share + 50) // 100


def control_draw(members: int, *, control_share: int, seed: int) -> np.ndarray:
    """Which of ``members`` (in the order given) are held out: exactly ``control_count`` of
    them, chosen by a shuffle that the seed makes reproducible."""
    held_out = np.zeros(members, dtype=bool)
    order = np.random.default_rng(seed).permutation(members)
    held_out[order[: control_count(members, control_share)]] = True
    return held_out


@dataclass(frozen=True)
class CampaignStart:
    campaign: Campaign
    skipped_running: int
    skipped_not_current: int


def _check_fields(*, name: str, action: str, control_share, window_months) -> None:
    errors = {}
    if not name.strip():
        errors["name"] = "Give the campaign a name."
    elif len(name) > 200:
        errors["name"] = "A campaign's name is at most 200 characters."
    if action not in Campaign.Action.values:
        errors["action"] = f"'{action}' is not a retention action."
    if not isinstance(control_share, int) or not (
        CONTROL_SHARE_MIN <= control_share <= CONTROL_SHARE_MAX
    ):
        errors["control_share"] = (
            f"Hold out between {CONTROL_SHARE_MIN} and {CONTROL_SHARE_MAX} % as the control group."
        )
    if not isinstance(window_months, int) or not (1 <= window_months <= WINDOW_MONTHS_MAX):
        errors["window_months"] = f"Measure over 1 to {WINDOW_MONTHS_MAX} months."
    if errors:
        raise ValidationError(errors)


def campaign_candidates(customers: QuerySet) -> QuerySet:
    """What the start reads of each selected customer, in one query: its status, its scores
    and whether it is in a running campaign already."""
    running = CampaignMember.objects.filter(customer=OuterRef("pk"), in_running_campaign=True)
    return (
        customers.order_by("pk")
        .annotate(busy=Exists(running))
        .values_list(
            "pk", "status", "latest_scores__churn_risk", "latest_scores__lifetime_value", "busy"
        )
    )


def campaign_start(
    *,
    customers: QuerySet,
    actor,
    name: str,
    action: str,
    offer: str = "",
    control_share: int,
    window_months: int = 3,
    seed: int | None = None,
) -> CampaignStart:
    """Start a campaign for ``customers`` with ``control_share`` percent held out at random.
    Raises ValidationError when no selected customer can join or a group would be empty."""
    if not actor.has_perm(START_PERMISSION):
        raise PermissionDenied
    _check_fields(
        name=name, action=action, control_share=control_share, window_months=window_months
    )
    seed = secrets.randbits(62) if seed is None else seed
    with transaction.atomic():
        rows = list(campaign_candidates(customers))
        busy = sum(1 for row in rows if row[4])
        joining = [row for row in rows if not row[4] and row[1] in ELIGIBLE_STATUSES]
        not_current = len(rows) - busy - len(joining)
        if not rows:
            raise ValidationError("The selection is empty: choose the customers first.")
        if not joining:
            raise ValidationError(
                f"None of the {len(rows)} selected customers can join: {busy} already in a "
                f"running campaign, {not_current} not a current customer."
            )
        held_out = control_draw(len(joining), control_share=control_share, seed=seed)
        controls = int(held_out.sum())
        if controls == 0 or controls == len(joining):
            raise ValidationError(
                f"{len(joining)} customers are too few to hold out {control_share} %: both "
                "the treated and the control group need at least one customer."
            )
        now = timezone.now()
        campaign = Campaign.objects.create(
            name=name.strip(),
            action=action,
            offer=offer.strip(),
            control_share=control_share,
            window_months=window_months,
            seed=seed,
            treated_count=len(joining) - controls,
            control_count=controls,
            created_by=actor,
            created_at=now,
        )
        groups = np.where(held_out, CampaignMember.Group.CONTROL, CampaignMember.Group.TREATED)
        members = (
            (campaign.pk, customer_id, str(group), churn_risk, lifetime_value, status, True, "", "")
            for (customer_id, status, churn_risk, lifetime_value, _), group in zip(
                joining, groups.tolist(), strict=True
            )
        )
        try:
            with transaction.atomic():
                bulk_copy(CampaignMember, MEMBER_FIELDS, members)
        except IntegrityError:
            raise ValidationError(
                "Another campaign took some of these customers a moment ago; start again to "
                "skip them."
            ) from None
        action_log_record(
            action="retention.campaign_started",
            customer=None,
            actor=actor,
            data={
                "campaign": campaign.pk,
                "name": campaign.name,
                "treated": campaign.treated_count,
                "control": campaign.control_count,
                "skipped_running": busy,
                "skipped_not_current": not_current,
                "seed": seed,
            },
        )
    return CampaignStart(campaign=campaign, skipped_running=busy, skipped_not_current=not_current)


def campaign_close(*, campaign: Campaign, actor) -> Campaign:
    """Stop recording outcomes and free the members for other campaigns; the measurement goes
    on to the end of the window. Closing a closed campaign changes nothing."""
    if not actor.has_perm(START_PERMISSION):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        closed = Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.RUNNING).update(
            status=Campaign.Status.CLOSED, closed_at=now, closed_by=actor
        )
        if closed:
            CampaignMember.objects.filter(campaign=campaign, in_running_campaign=True).update(
                in_running_campaign=False
            )
            action_log_record(
                action="retention.campaign_closed",
                customer=None,
                actor=actor,
                data={"campaign": campaign.pk, "name": campaign.name},
            )
    campaign.refresh_from_db()
    return campaign


def member_outcome_record(
    *, member: CampaignMember, actor, outcome: str, note: str = "", at=None
) -> tuple[CampaignMember, bool]:
    """Record what came of the action on a treated member; returns the member and whether
    anything changed. Recording the same outcome and note again changes nothing and logs
    nothing."""
    if not actor.has_perm(OUTCOME_PERMISSION):
        raise PermissionDenied
    if outcome not in CampaignMember.Outcome.values:
        raise ValidationError({"outcome": f"'{outcome}' is not an outcome."})
    note = note.strip()
    now = timezone.now()
    at = at or now
    if at > now + _CLOCK_SLACK:
        raise ValidationError({"at": "The outcome cannot be recorded for a time to come."})
    with transaction.atomic():
        locked = (
            CampaignMember.objects.select_for_update(of=("self",))
            .select_related("campaign", "customer")
            .get(pk=member.pk)
        )
        campaign = locked.campaign
        if locked.group != CampaignMember.Group.TREATED:
            raise ValidationError(
                f"Customer {locked.customer.number} is held out as control in "
                f"'{campaign.name}': no action is taken for them."
            )
        if campaign.status != Campaign.Status.RUNNING:
            raise ValidationError(f"'{campaign.name}' is closed: outcomes are no longer recorded.")
        if at < campaign.created_at:
            raise ValidationError({"at": "The outcome cannot be before the campaign started."})
        if locked.outcome == outcome and locked.outcome_note == note:
            return locked, False
        previous = locked.outcome
        locked.outcome, locked.outcome_note = outcome, note
        locked.outcome_at, locked.outcome_by = at, actor
        locked.save(update_fields=["outcome", "outcome_note", "outcome_at", "outcome_by"])
        action_log_record(
            action="retention.outcome_recorded",
            customer=locked.customer,
            actor=actor,
            data={
                "campaign": campaign.pk,
                "name": campaign.name,
                "outcome": outcome,
                "previous": previous,
                "note": note,
                "at": at.isoformat(),
            },
        )
    return locked, True
