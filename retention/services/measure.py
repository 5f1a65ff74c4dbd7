"""How well a campaign worked: the save rate of treated against control members.

A member is saved when it is still a customer (active or suspended: not terminated) at the end
of the measurement window, or now while the window is still open ("so far"). The claim is the
uplift of treated over control, intention to treat: every treated member counts whatever came
of the action, so the groups stay comparable as the random split made them. The save rates by
outcome (accepted, declined …) are shown for information only: who accepts an offer is not
chosen at random.

The uplift's 95 % interval is Newcombe's hybrid score interval (method 10 of Newcombe 1998),
built from the Wilson interval of each group's rate. The Wald interval is simpler but covers
too rarely when a rate is near 0 or 1 (saves often are) or a group is small (a control group
of a few dozen customers); Newcombe's keeps its coverage there and needs no iteration.
"""

from dataclasses import dataclass, field
from datetime import datetime
from statistics import NormalDist

import numpy as np
from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.utils import timezone

from customers.models import Customer, LifecycleEvent

from ..models import Campaign, CampaignMember

SAVED_STATUSES = (Customer.Status.ACTIVE, Customer.Status.SUSPENDED)
CONFIDENCE = 0.95


def wilson_interval(saved, members, *, confidence: float = CONFIDENCE):
    """Wilson score interval of saved/members, elementwise on arrays; (0, 1) for no member."""
    saved, members = np.asarray(saved, dtype=float), np.asarray(members, dtype=float)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    n = np.where(members > 0, members, 1.0)
    p = np.where(members > 0, saved / n, 0.0)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = np.where(members > 0, np.clip(centre - half, 0, 1), 0.0)
    high = np.where(members > 0, np.clip(centre + half, 0, 1), 1.0)
    return low, high


def difference_interval(saved_a, members_a, saved_b, members_b, *, confidence: float = CONFIDENCE):
    """Rate of a minus rate of b with Newcombe's hybrid score interval: (difference, low,
    high), elementwise on arrays."""
    saved_a, members_a = np.asarray(saved_a, dtype=float), np.asarray(members_a, dtype=float)
    saved_b, members_b = np.asarray(saved_b, dtype=float), np.asarray(members_b, dtype=float)
    p_a = np.divide(saved_a, members_a, out=np.zeros_like(saved_a), where=members_a > 0)
    p_b = np.divide(saved_b, members_b, out=np.zeros_like(saved_b), where=members_b > 0)
    low_a, high_a = wilson_interval(saved_a, members_a, confidence=confidence)
    low_b, high_b = wilson_interval(saved_b, members_b, confidence=confidence)
    difference = p_a - p_b
    low = difference - np.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    high = difference + np.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return difference, low, high


@dataclass(frozen=True)
class GroupRate:
    label: str
    members: int
    saved: int
    low: float
    high: float

    @property
    def rate(self) -> float | None:
        return self.saved / self.members if self.members else None

    @property
    def rate_percent(self) -> str:
        return _percent(self.rate)

    @property
    def low_percent(self) -> str:
        return _percent(self.low)

    @property
    def high_percent(self) -> str:
        return _percent(self.high)


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"


def _points(share: float | None) -> str:
    return "" if share is None else f"{share * 100:+.1f}"


@dataclass(frozen=True)
class CampaignMeasure:
    horizon: datetime
    window_end: datetime
    so_far: bool
    treated: GroupRate
    control: GroupRate
    uplift: float | None
    uplift_low: float | None
    uplift_high: float | None
    by_outcome: list[GroupRate] = field(default_factory=list)

    @property
    def attributable(self) -> tuple[float, float, float] | None:
        """Saved customers the campaign accounts for among the treated, with the interval."""
        if self.uplift is None:
            return None
        n = self.treated.members
        return self.uplift * n, self.uplift_low * n, self.uplift_high * n

    @property
    def uplift_points(self) -> str:
        return _points(self.uplift)

    @property
    def uplift_interval_points(self) -> str:
        if self.uplift is None:
            return ""
        return f"{_points(self.uplift_low)} to {_points(self.uplift_high)}"

    @property
    def attributable_shown(self) -> str:
        """'about 150 (between 117 and 183)': saved customers the campaign accounts for."""
        if self.attributable is None:
            return ""
        middle, low, high = (round(value) for value in self.attributable)
        return f"about {middle} (between {low} and {high})"

    @property
    def rates(self) -> list[GroupRate]:
        return [self.treated, self.control, *self.by_outcome]

    @property
    def shows_harm(self) -> bool:
        return self.uplift_high is not None and self.uplift_high < 0

    @property
    def shows_effect(self) -> bool:
        return self.uplift_low is not None and self.uplift_low > 0


def window_end(campaign: Campaign) -> datetime:
    return campaign.created_at + relativedelta(months=campaign.window_months)


def _saved_counts(campaign: Campaign, horizon: datetime) -> list[dict]:
    """Members and saved members per group and outcome, in one grouped query: each member's
    status at ``horizon`` is the newest lifecycle move since the start up to then, else its
    status at the start."""
    moved_to = (
        LifecycleEvent.objects.filter(
            customer=OuterRef("customer_id"),
            occurred_at__gt=campaign.created_at,
            occurred_at__lte=horizon,
        )
        .order_by("-occurred_at", "-id")
        .values("to_status")[:1]
    )
    status_then = Coalesce(Subquery(moved_to), F("status_at_start"))
    saved = Case(When(In(status_then, list(SAVED_STATUSES)), then=Value(1)), default=Value(0))
    return list(
        CampaignMember.objects.filter(campaign=campaign)
        .order_by()
        .values("group", "outcome")
        .annotate(members=Count("pk"), saved=Sum(saved, output_field=IntegerField()))
    )


def _rates(labels: list[str], saved: list[int], members: list[int]) -> list[GroupRate]:
    low, high = wilson_interval(saved, members)
    return [
        GroupRate(label, members=m, saved=s, low=float(lo), high=float(hi))
        for label, s, m, lo, hi in zip(labels, saved, members, low, high, strict=True)
    ]


def campaign_measure(campaign: Campaign, *, now: datetime | None = None) -> CampaignMeasure:
    """The campaign's save rates and uplift at the end of its window, or so far."""
    now = now or timezone.now()
    end = window_end(campaign)
    horizon = min(end, now)
    counts = _saved_counts(campaign, horizon)
    totals = {group: [0, 0] for group in CampaignMember.Group.values}
    outcomes: dict[str, list[int]] = {}
    for row in counts:
        totals[row["group"]][0] += row["saved"] or 0
        totals[row["group"]][1] += row["members"]
        if row["group"] == CampaignMember.Group.TREATED:
            outcomes[row["outcome"]] = [row["saved"] or 0, row["members"]]
    treated, control = _rates(
        ["Treated", "Control"],
        [totals["treated"][0], totals["control"][0]],
        [totals["treated"][1], totals["control"][1]],
    )
    uplift = low = high = None
    if treated.members and control.members:
        difference, lows, highs = difference_interval(
            treated.saved, treated.members, control.saved, control.members
        )
        uplift, low, high = float(difference), float(lows), float(highs)
    labels = dict(CampaignMember.Outcome.choices) | {"": "No outcome recorded"}
    order = [*CampaignMember.Outcome.values, ""]
    shown = [value for value in order if value in outcomes]
    by_outcome = _rates(
        [labels[value] for value in shown],
        [outcomes[value][0] for value in shown],
        [outcomes[value][1] for value in shown],
    )
    return CampaignMeasure(
        horizon=horizon,
        window_end=end,
        so_far=now < end,
        treated=treated,
        control=control,
        uplift=uplift,
        uplift_low=low,
        uplift_high=high,
        by_outcome=by_outcome,
    )
