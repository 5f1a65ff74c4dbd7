"""The nightly recount of the home page's business figures into the tally tables.

Every figure is a grouped query over the source rows (customers, lifecycle events,
interactions, latest scores), never a loop over customers; the tables are rewritten whole in one
transaction, so a second run the same night leaves the same rows and the page never sees half a
recount.

Statuses at past month ends are walked back from today's counts through the month's lifecycle
moves, so one grouped query over the moves replaces a "status as of" query per month. A
customer is counted in their current segment throughout.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db import transaction
from django.db.models import Count, DateField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from customers.models import Customer, Interaction, LatestScores, LifecycleEvent
from satisfaction.results import month_start

from .models import (
    FunnelTally,
    MoveTally,
    StatusTally,
    TallyRecount,
    TouchPointTally,
    ValueAtRiskTally,
)

MONTHS = 13  # this month and the twelve before it: a year of month starts for the churn rate
FUNNEL_DAYS = 365
SETTLED_AT_ONCE = (Interaction.Outcome.RESOLVED, Interaction.Outcome.NO_ACTION)
# Settled at first contact: closed as resolved (or nothing to do) within a day of the contact.
FIRST_CONTACT_WINDOW = timedelta(days=1)


def _month(column: str) -> TruncMonth:
    return TruncMonth(column, output_field=DateField())


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _status_tallies(months: list[date], moves: list[dict]) -> list[StatusTally]:
    now_counts = Counter(
        {
            (row["segment"], row["status"]): row["customers"]
            for row in Customer.objects.values("segment", "status")
            .annotate(customers=Count("pk"))
            .order_by()
        }
    )
    moves_by_month = defaultdict(list)
    for row in moves:
        moves_by_month[row["month"]].append(row)
    tallies, counts = [], now_counts
    for month in reversed(months):
        tallies += [
            StatusTally(month=month, segment=segment, status=status, customers=customers)
            for (segment, status), customers in counts.items()
            if customers > 0
        ]
        # The month's moves undone give the counts at the end of the month before.
        counts = Counter(counts)
        for row in moves_by_month[month]:
            counts[(row["segment"], row["to_status"])] -= row["moves"]
            if row["from_status"]:
                counts[(row["segment"], row["from_status"])] += row["moves"]
    return tallies


def _moves(since: date) -> list[dict]:
    return [
        {**row, "month": _as_date(row["month"])}
        for row in LifecycleEvent.objects.filter(occurred_at__gte=_day_start(since))
        .annotate(month=_month("occurred_at"), segment=F("customer__segment"))
        .values("month", "segment", "from_status", "to_status")
        .annotate(moves=Count("pk"))
        .order_by()
    ]


def _funnel_tallies(since: date) -> list[FunnelTally]:
    """Per step, lead source and segment (and every source, every segment): how many took the
    step in the window, and the median days they had spent in the status before."""
    Status = Customer.Status
    step_of = {
        ("", Status.LEAD): FunnelTally.Step.LEAD,
        (Status.LEAD, Status.PROSPECT): FunnelTally.Step.PROSPECT,
        (Status.LEAD, Status.ACTIVE): FunnelTally.Step.ACTIVE,
        (Status.PROSPECT, Status.ACTIVE): FunnelTally.Step.ACTIVE,
    }
    previous = LifecycleEvent.objects.filter(
        customer=OuterRef("customer"), occurred_at__lt=OuterRef("occurred_at")
    ).order_by("-occurred_at", "-id")
    events = (
        LifecycleEvent.objects.filter(occurred_at__gte=_day_start(since))
        .filter(
            Q(from_status="", to_status=Status.LEAD)
            | Q(from_status=Status.LEAD, to_status__in=[Status.PROSPECT, Status.ACTIVE])
            | Q(from_status=Status.PROSPECT, to_status=Status.ACTIVE)
        )
        .annotate(previous_at=Subquery(previous.values("occurred_at")[:1]))
        .values_list(
            "from_status",
            "to_status",
            "customer__segment",
            "customer__lead_source",
            "occurred_at",
            "previous_at",
        )
    )
    days = defaultdict(list)
    counts = Counter()
    for from_status, to_status, segment, source, occurred_at, previous_at in events.iterator(
        chunk_size=5000
    ):
        step = step_of[(from_status, to_status)]
        waited = (occurred_at - previous_at).total_seconds() / 86400 if previous_at else None
        for key in (
            (step, "", ""),
            (step, segment, ""),
            (step, "", source),
            (step, segment, source),
        ):
            counts[key] += 1
            if waited is not None and step != FunnelTally.Step.LEAD:
                days[key].append(waited)
    return [
        FunnelTally(
            step=step,
            segment=segment,
            lead_source=source,
            customers=customers,
            median_days=round(median(days[key]), 1) if days.get(key) else None,
        )
        for key, customers in counts.items()
        for step, segment, source in [key]
    ]


def _touch_point_tallies(since: date) -> list[TouchPointTally]:
    first_contact = Q(
        outcome__in=SETTLED_AT_ONCE,
        closed_at__isnull=False,
        closed_at__lte=F("occurred_at") + FIRST_CONTACT_WINDOW,
    )
    rows = (
        Interaction.objects.filter(occurred_at__gte=_day_start(since))
        .annotate(month=_month("occurred_at"))
        .values("month", "channel", "kind")
        .annotate(
            interactions=Count("pk"), resolved_first_contact=Count("pk", filter=first_contact)
        )
        .order_by()
    )
    return [TouchPointTally(**{**row, "month": _as_date(row["month"])}) for row in rows]


def _value_at_risk_tallies(now: datetime) -> list[ValueAtRiskTally]:
    rows = (
        LatestScores.objects.filter(customer__status=Customer.Status.ACTIVE)
        .values("value_segment", account_manager_id=F("customer__account_manager"))
        .annotate(customers=Count("pk"), value_at_risk=Sum("value_at_risk"))
        .order_by()
    )
    return [ValueAtRiskTally(**row, counted_at=now) for row in rows]


def business_tallies_recount(*, today: date | None = None) -> TallyRecount:
    """Recount every tally as of ``today``; safe to run twice (the tables are replaced)."""
    now = timezone.now()
    today = today or timezone.localdate()
    months = [month_start(today, back) for back in reversed(range(MONTHS))]
    moves = _moves(months[0])
    tallies = {
        StatusTally: _status_tallies(months, moves),
        MoveTally: [MoveTally(**row) for row in moves],
        FunnelTally: _funnel_tallies(today - timedelta(days=FUNNEL_DAYS)),
        TouchPointTally: _touch_point_tallies(months[0]),
        ValueAtRiskTally: _value_at_risk_tallies(now),
    }
    with transaction.atomic():
        for model, rows in tallies.items():
            model.objects.all().delete()
            model.objects.bulk_create(rows, batch_size=2000)
        TallyRecount.objects.all().delete()
        return TallyRecount.objects.create(counted_on=today, finished_at=timezone.now())
