"""The business at a glance: the figures of the home page, each read from a tally table that
the nightly recount fills (``home.tallies``), apart from NPS, which the satisfaction app keeps
in its own daily tally and which is read through its results selector.

Each figure is offered only to who may see what it counts, and links to the list behind it with
that list's own query parameters.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from crm.charts import ColumnChart, HBar, HBarChart, column_chart, hbar_chart
from customers.models import Customer, Interaction, LatestScores
from satisfaction.models import Survey
from satisfaction.results import (
    NO_FIGURE,
    ResultFilters,
    default_period,
    results_overview,
    survey_choices,
)

from ..models import (
    FunnelTally,
    MoveTally,
    StatusTally,
    TallyRecount,
    TouchPointTally,
    ValueAtRiskTally,
)

BASE_STATUSES = [
    Customer.Status.LEAD,
    Customer.Status.PROSPECT,
    Customer.Status.ACTIVE,
    Customer.Status.SUSPENDED,
]
STATUS_LABELS = dict(Customer.Status.choices)
SEGMENT_LABELS = dict(Customer.Segment.choices)
CHANNEL_LABELS = dict(Interaction.Channel.choices)
KIND_LABELS = dict(Interaction.Kind.choices)
VALUE_SEGMENT_LABELS = dict(LatestScores.ValueSegment.choices)


def _url(name: str, **params) -> str:
    query = urlencode({key: value for key, value in params.items() if value not in ("", None)})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def _percent(part: float, whole: float) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _shown(value: float | None, unit: str = " %") -> str:
    return NO_FIGURE if value is None else f"{value:.1f}{unit}"


@dataclass
class Link:
    label: str
    url: str


@dataclass
class TableRow:
    label: str
    cells: list[str]
    url: str = ""


@dataclass
class Figure:
    """One figure of the page: its chart, a sentence saying what it shows, its numbers as a
    table, and the lists behind it."""

    name: str
    title: str
    summary: str
    columns: list[str]
    rows: list[TableRow]
    links: list[Link]
    column_chart: ColumnChart | None = None
    bar_chart: HBarChart | None = None
    extra_tables: list[tuple[str, list[str], list[TableRow]]] = field(default_factory=list)


@dataclass
class Glance:
    counted_on: date | None
    figures: list[Figure]
    nps: object | None = None  # satisfaction's KindResults, drawn with its own chart


def _months(rows) -> list[date]:
    return sorted({row.month for row in rows})


def _status_figure(statuses: list[StatusTally]) -> Figure:
    months = _months(statuses)
    totals = defaultdict(int)
    for row in statuses:
        totals[(row.month, row.status)] += row.customers
    values = [[totals[(month, status)] for status in BASE_STATUSES] for month in months]
    labels = [f"{month:%b}" for month in months]
    latest = values[-1] if values else [0] * len(BASE_STATUSES)
    summary = (
        f"At the last count: {latest[2]:,} active, {latest[3]:,} suspended, {latest[1]:,} "
        f"prospects and {latest[0]:,} leads."
    )
    return Figure(
        name="base",
        title="Customer base by status",
        summary=summary,
        column_chart=column_chart(
            "Customers by status at each month's end",
            [STATUS_LABELS[s] for s in BASE_STATUSES],
            labels,
            values,
            describe=lambda month, s, value: (
                f"{month}: {value:,.0f} {STATUS_LABELS[BASE_STATUSES[s]]}"
            ),
        ),
        columns=["Month", *[STATUS_LABELS[s] for s in BASE_STATUSES]],
        rows=[
            TableRow(f"{month:%b %Y}", [f"{value:,}" for value in month_values])
            for month, month_values in zip(months, values, strict=True)
        ],
        links=[
            Link(STATUS_LABELS[status], _url("customers:list", status=status))
            for status in BASE_STATUSES
        ],
    )


def _churn_figure(statuses: list[StatusTally], terminations: list[MoveTally]) -> Figure:
    months = _months(statuses)
    active_at_end = defaultdict(int)
    for row in statuses:
        if row.status == Customer.Status.ACTIVE:
            active_at_end[row.month] += row.customers
    ended = defaultdict(int)
    for row in terminations:
        ended[row.month] += row.moves
    rows, rates, labels = [], [], []
    # A month's rate needs the month before it: the first month of the tally only opens.
    for before, month in pairwise(months):
        rate = _percent(ended[month], active_at_end[before])
        rates.append([rate or 0])
        labels.append(f"{month:%b}")
        rows.append(
            TableRow(
                f"{month:%b %Y}",
                [f"{ended[month]:,}", f"{active_at_end[before]:,}", _shown(rate)],
            )
        )
    last = rows[-1].cells[2] if rows else NO_FIGURE
    return Figure(
        name="churn",
        title="Churn per month",
        summary=(
            f"Terminations over active customers at the month's start; {last} this month so far."
        ),
        column_chart=column_chart("Churn rate per month", ["Churn"], labels, rates, unit=" %"),
        columns=["Month", "Terminated", "Active at start", "Churn"],
        rows=rows,
        links=[Link("Terminated customers", _url("customers:list", status="terminated"))],
    )


def _funnel_figure(funnel: list[FunnelTally]) -> Figure:
    by = {(row.step, row.segment, row.lead_source): row for row in funnel}
    steps = list(FunnelTally.Step)
    step_status = {
        FunnelTally.Step.LEAD: Customer.Status.LEAD,
        FunnelTally.Step.PROSPECT: Customer.Status.PROSPECT,
        FunnelTally.Step.ACTIVE: Customer.Status.ACTIVE,
    }

    def cells(segment: str, source: str) -> list[str]:
        counts = [by.get((step, segment, source)) for step in steps]
        leads = counts[0].customers if counts[0] else 0
        out = []
        for step, row in zip(steps, counts, strict=True):
            customers = row.customers if row else 0
            out.append(f"{customers:,}")
            if step != FunnelTally.Step.LEAD:
                out.append(_shown(_percent(customers, leads)))
                median = row.median_days if row else None
                out.append(NO_FIGURE if median is None else f"{median:g}")
        return out

    bars = []
    total_leads = by.get((FunnelTally.Step.LEAD, "", ""))
    for step in steps:
        row = by.get((step, "", ""))
        customers = row.customers if row else 0
        rate = _percent(customers, total_leads.customers if total_leads else 0)
        bars.append(
            HBar(
                label=step.label,
                value=customers,
                shown=f"{customers:,}"
                + ("" if step == FunnelTally.Step.LEAD else f" ({_shown(rate)})"),
                url=_url("customers:list", status=step_status[step]),
            )
        )
    total = cells("", "")
    columns = [
        "",
        "Leads",
        "Prospects",
        "% of leads",
        "Median days as lead",
        "Active",
        "% of leads",
        "Median days before",
    ]
    segments = sorted({row.segment for row in funnel if row.segment})
    sources = sorted({row.lead_source for row in funnel if row.lead_source})
    return Figure(
        name="funnel",
        title="Lead funnel, last 12 months",
        summary=(
            f"{total[0]} new leads; {total[1]} became prospects ({total[2]}) and {total[4]} "
            f"became active ({total[5]})."
        ),
        bar_chart=hbar_chart("Lead funnel, last 12 months", bars),
        columns=columns,
        rows=[
            TableRow(
                SEGMENT_LABELS.get(segment, segment),
                cells(segment, ""),
                _url("customers:list", status="lead", segment=segment),
            )
            for segment in segments
        ],
        extra_tables=[
            ("By lead source", columns, [TableRow(source, cells("", source)) for source in sources])
        ],
        links=[Link(bar.label, bar.url) for bar in bars],
    )


def _value_at_risk_figure(tallies: list[ValueAtRiskTally]) -> Figure:
    order = list(LatestScores.ValueSegment.values)
    by_segment: dict[str, ValueAtRiskTally] = {}
    for row in tallies:
        total = by_segment.setdefault(
            row.value_segment,
            ValueAtRiskTally(value_segment=row.value_segment, customers=0, value_at_risk=0),
        )
        total.customers += row.customers
        total.value_at_risk += row.value_at_risk
    values = list(by_segment.values())
    values = sorted(
        values, key=lambda row: order.index(row.value_segment) if row.value_segment in order else 9
    )
    bars = [
        HBar(
            label=VALUE_SEGMENT_LABELS.get(row.value_segment, row.value_segment),
            value=float(row.value_at_risk),
            shown=f"{row.value_at_risk:,.0f}",
            url=_url("risk:retention", value_segment=row.value_segment),
        )
        for row in values
    ]
    total = sum((row.value_at_risk for row in values), 0)
    return Figure(
        name="value-at-risk",
        title="Value at risk by value segment",
        summary=f"{total:,.0f} of lifetime value at risk among active customers.",
        bar_chart=hbar_chart("Value at risk by value segment", bars),
        columns=["Value segment", "Active customers", "Value at risk"],
        rows=[
            TableRow(bar.label, [f"{row.customers:,}", bar.shown], bar.url)
            for bar, row in zip(bars, values, strict=True)
        ],
        links=[Link("Retention work list", reverse("risk:retention"))],
    )


def _touch_point_figure(touches: list[TouchPointTally], statuses: list[StatusTally]) -> Figure:
    months = _months(touches)
    channels = sorted(
        {row.channel for row in touches},
        key=lambda c: list(CHANNEL_LABELS).index(c) if c in CHANNEL_LABELS else 99,
    )
    kinds = sorted(
        {row.kind for row in touches},
        key=lambda k: list(KIND_LABELS).index(k) if k in KIND_LABELS else 99,
    )
    by_channel, by_kind = defaultdict(int), defaultdict(int)
    total, settled, complaints = defaultdict(int), defaultdict(int), defaultdict(int)
    for row in touches:
        by_channel[(row.month, row.channel)] += row.interactions
        by_kind[(row.month, row.kind)] += row.interactions
        total[row.month] += row.interactions
        settled[row.month] += row.resolved_first_contact
        if row.kind == Interaction.Kind.COMPLAINT:
            complaints[row.month] += row.interactions
    active = defaultdict(int)
    for row in statuses:
        if row.status == Customer.Status.ACTIVE:
            active[row.month] += row.customers
    labels = [f"{month:%b}" for month in months]
    rows = [
        TableRow(
            f"{month:%b %Y}",
            [
                f"{total[month]:,}",
                _shown(_percent(settled[month], total[month])),
                _shown(_percent(complaints[month], total[month])),
                f"{(1000 * complaints[month] / active[month]):.1f}" if active[month] else NO_FIGURE,
            ],
        )
        for month in months
    ]
    last = rows[-1].cells if rows else ["0", NO_FIGURE, NO_FIGURE, NO_FIGURE]
    kind_rows = [
        TableRow(
            KIND_LABELS.get(kind, kind),
            [f"{by_kind[(month, kind)]:,}" for month in months],
            _url("customers:open_interactions", show="all", kind=kind),
        )
        for kind in kinds
    ]
    return Figure(
        name="touch-points",
        title="Touch points",
        summary=(
            f"This month so far: {last[0]} interactions, {last[1]} settled at first contact, "
            f"{last[2]} complaints."
        ),
        column_chart=column_chart(
            "Interactions by channel per month",
            [CHANNEL_LABELS.get(c, c) for c in channels],
            labels,
            [[by_channel[(month, c)] for c in channels] for month in months],
            describe=lambda month, s, value: (
                f"{month}: {value:,.0f} by {CHANNEL_LABELS.get(channels[s], channels[s])}"
            ),
        ),
        columns=[
            "Month",
            "Interactions",
            "First-contact resolution",
            "Complaint share",
            "Complaints per 1,000 active",
        ],
        rows=rows,
        extra_tables=[("Interactions by type", ["Type", *[f"{m:%b}" for m in months]], kind_rows)],
        links=[
            Link("Open interactions", _url("customers:open_interactions", show="all")),
            Link(
                "Open complaints", _url("customers:open_interactions", show="all", kind="complaint")
            ),
        ],
    )


def _nps(today: date):
    date_from, date_to = default_period(today)
    surveys = survey_choices()
    if not any(survey.kind == Survey.Kind.NPS for survey in surveys):
        return None
    results = results_overview(
        filters=ResultFilters(date_from=date_from, date_to=date_to, kind=Survey.Kind.NPS),
        surveys=surveys,
    )
    return results.kinds[0] if results.kinds else None


def business_at_a_glance(*, user, today: date) -> Glance:
    """The figures this person may see, from the tallies of the last recount."""
    can = user.has_perm
    recount = TallyRecount.objects.order_by("-finished_at").first()
    figures = []
    sees_customers = can("customers.view_customer")
    statuses = list(StatusTally.objects.all()) if sees_customers else []
    if sees_customers:
        figures.append(_status_figure(statuses))
        figures.append(
            _funnel_figure(list(FunnelTally.objects.filter(Q(segment="") | Q(lead_source=""))))
        )
        figures.append(
            _churn_figure(
                statuses, list(MoveTally.objects.filter(to_status=Customer.Status.TERMINATED))
            )
        )
    if sees_customers and can("customers.view_latestscores"):
        figures.append(_value_at_risk_figure(list(ValueAtRiskTally.objects.all())))
    if can("customers.view_interaction"):
        figures.append(_touch_point_figure(list(TouchPointTally.objects.all()), statuses))
    nps = _nps(today) if can("satisfaction.view_response") else None
    return Glance(counted_on=recount.counted_on if recount else None, figures=figures, nps=nps)
