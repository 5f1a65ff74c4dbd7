"""Reads for the results pages: NPS, CSAT and CES by month, segment, channel, touch point and
survey, added up in SQL from the daily tallies; and the answers behind a figure, newest first
or as their list is sorted.

NPS, CSAT and CES are on different scales, so no figure ever mixes two kinds: every grouped
query also groups by survey, and the rows are added up per kind of survey afterwards (a few
dozen rows, never the responses). The number of queries is the same whatever the data: one per
breakdown.

Response rates compare the answers given in a period with the invitations sent in it (both
tallies are kept by day), so a month's rate counts an invitation sent on the 30th and answered
on the 2nd in two different months.
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from crm.counting import CountedPage, page_counted
from crm.keyset import cursor_of, keyset_page
from customers.models import Customer, Interaction

from . import scores
from .models import DailyResult, Invitation, Response, Sentiment, Survey

PAGE_SIZE = 50
DEFAULT_MONTHS = 12

KIND_NAMES = {Survey.Kind.NPS: "NPS", Survey.Kind.CSAT: "CSAT", Survey.Kind.CES: "CES"}
# What the three sentiments are called on each kind's scale.
SENTIMENT_NAMES = {
    Survey.Kind.NPS: ("Promoters (9, 10)", "Passives (7, 8)", "Detractors (0 to 6)"),
    Survey.Kind.CSAT: ("Satisfied (4, 5)", "Neutral (3)", "Dissatisfied (1, 2)"),
    Survey.Kind.CES: ("Easy (5 to 7)", "Neutral (4)", "Hard (1 to 3)"),
}
# What one answer is called, per kind and sentiment.
ANSWER_NAMES = {
    Survey.Kind.NPS: {"positive": "Promoter", "neutral": "Passive", "negative": "Detractor"},
    Survey.Kind.CSAT: {"positive": "Satisfied", "neutral": "Neutral", "negative": "Dissatisfied"},
    Survey.Kind.CES: {"positive": "Easy", "neutral": "Neutral", "negative": "Hard"},
}
# Touch points an invitation is reported under: the interaction types that trigger surveys,
# and the three causes that are not interactions (see services.cause_of_event, periodic_cause).
TOUCH_POINTS = [
    *[(kind, label) for kind, label in Interaction.Kind.choices if kind != Interaction.Kind.SURVEY],
    ("onboarding", "On-boarding"),
    ("relationship", "Relationship (periodic)"),
    ("exit", "Exit"),
]
DIMENSIONS = {
    "segment": ("Segment", dict(Customer.Segment.choices)),
    "channel": ("Channel", dict(Invitation.Channel.choices)),
    "touch_point": ("Touch point", dict(TOUCH_POINTS)),
}
NO_FIGURE = "\u2013"  # an en dash where nobody answered or nobody was invited
_COUNTS = ("invited", "responded", "positive", "neutral", "negative", "score_sum")


# --- Filters --------------------------------------------------------------------------------


def month_start(day: date, months_back: int = 0) -> date:
    total = day.year * 12 + day.month - 1 - months_back
    return date(total // 12, total % 12 + 1, 1)


def month_end(day: date) -> date:
    return month_start(day, -1) - timedelta(days=1)


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months: this month so far and the eleven before it."""
    return month_start(today, DEFAULT_MONTHS - 1), today


@dataclass(frozen=True)
class ResultFilters:
    """What the results and the answers behind them are narrowed to. ``survey`` decides the
    kind; without one, ``kind`` (or nothing: every kind, each on its own)."""

    date_from: date
    date_to: date
    survey: Survey | None = None
    kind: str = ""
    segment: str = ""
    channel: str = ""
    touch_point: str = ""
    sentiment: str = ""  # the answers only: the tallies have no rows per sentiment

    def query(self, **changes) -> str:
        """These filters, with ``changes``, as the GET parameters the filter forms read."""
        values = {
            "survey": self.survey.pk if self.survey else "",
            "kind": self.kind,
            "date_from": self.date_from.isoformat(),
            "date_to": self.date_to.isoformat(),
            "segment": self.segment,
            "channel": self.channel,
            "touch_point": self.touch_point,
            "sentiment": self.sentiment,
        }
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value not in ("", None)})


def _survey_ids(filters: ResultFilters, surveys: list[Survey]) -> list[int] | None:
    """The surveys the filters allow, or None for every one."""
    if filters.survey:
        return [filters.survey.pk]
    if filters.kind:
        return [s.pk for s in surveys if s.kind == filters.kind]
    return None


# --- Tallies --------------------------------------------------------------------------------


@dataclass
class Tally:
    """Invitations and answers of one kind of survey, added up; the figures come from scores."""

    kind: str
    invited: int = 0
    responded: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    score_sum: int = 0

    def add(self, row: dict) -> None:
        for name in _COUNTS:
            # int(): PostgreSQL adds up a bigint column into a numeric.
            setattr(self, name, getattr(self, name) + int(row[name] or 0))

    @property
    def figure(self) -> float | None:
        return scores.headline(
            self.kind,
            responded=self.responded,
            positive=self.positive,
            negative=self.negative,
            score_sum=self.score_sum,
        )

    @property
    def figure_display(self) -> str:
        figure = self.figure
        if figure is None:
            return NO_FIGURE
        if self.kind == Survey.Kind.NPS:
            return f"{figure:+.1f}" if figure else "0.0"
        if self.kind == Survey.Kind.CSAT:
            return f"{figure:.1f} %"
        return f"{figure:.2f}"

    @property
    def response_rate(self) -> float | None:
        return scores.response_rate(responded=self.responded, invited=self.invited)

    @property
    def response_rate_display(self) -> str:
        rate = self.response_rate
        return NO_FIGURE if rate is None else f"{rate:.1f} %"

    @property
    def shares(self) -> list[tuple[str, str, float | None]]:
        """(sentiment, its name on this scale, its share of the answers in %)."""
        names = SENTIMENT_NAMES[self.kind]
        counts = (self.positive, self.neutral, self.negative)
        return [
            # A sentiment's share is the same arithmetic as the share of satisfied answers.
            (sentiment, name, scores.satisfied_share(satisfied=count, responses=self.responded))
            for sentiment, name, count in zip(Sentiment.values, names, counts, strict=True)
        ]


@dataclass
class Row:
    """One line of a breakdown: a segment, channel, touch point, survey or month."""

    label: str
    value: str
    tally: Tally
    query: str = ""  # the drill-down's GET parameters


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    negative: bool
    title: str
    query: str


@dataclass
class Tick:
    y: float
    label: str


@dataclass
class MonthLabel:
    x: float
    label: str
    year: str


@dataclass
class Chart:
    """A bar per month, drawn on the server (the CSP allows no script and no inline style)."""

    width: int
    height: int
    left: int
    right: int
    baseline: float
    month_y: int
    year_y: int
    bars: list[Bar]
    ticks: list[Tick]
    months: list[MonthLabel]
    label: str


@dataclass
class KindResults:
    kind: str
    name: str
    total: Tally
    trend: list[Row]
    chart: Chart
    query: str  # the drill-down's GET parameters: every answer of this kind
    breakdowns: list[tuple[str, str, list[Row]]] = field(default_factory=list)

    @property
    def has_answers(self) -> bool:
        return self.total.responded > 0


@dataclass
class Results:
    filters: ResultFilters
    kinds: list[KindResults]


def survey_choices() -> list[Survey]:
    """Every survey, for the filter forms and the per-survey rows (one query, used twice)."""
    return list(Survey.objects.only("pk", "name", "kind", "is_active").order_by("name"))


def results_overview(*, filters: ResultFilters, surveys: list[Survey]) -> Results:
    """The figures for ``filters``: per kind of survey a total, a monthly trend and breakdowns
    by segment, channel, touch point and survey. Five grouped queries on the daily tallies."""
    kind_of = {s.pk: s.kind for s in surveys}
    if filters.survey:
        kinds = [filters.survey.kind]
    elif filters.kind:
        kinds = [filters.kind]
    else:
        present = {s.kind for s in surveys}
        kinds = [kind for kind in Survey.Kind.values if kind in present]

    tallies = DailyResult.objects.filter(day__gte=filters.date_from, day__lte=filters.date_to)
    survey_ids = _survey_ids(filters, surveys)
    if survey_ids is not None:
        tallies = tallies.filter(survey_id__in=survey_ids)
    for name in DIMENSIONS:
        if getattr(filters, name):
            tallies = tallies.filter(**{name: getattr(filters, name)})
    sums = {name: Sum(name) for name in _COUNTS}

    def grouped(*columns, **expressions) -> list[dict]:
        return list(
            tallies.annotate(**expressions)
            .values(*columns, *expressions, "survey_id")
            .annotate(**sums)
            .order_by()
        )

    def per_kind(rows: list[dict], key) -> dict[str, dict]:
        """{kind: {key: Tally}}, adding up the surveys of each kind."""
        result: dict[str, dict] = {kind: {} for kind in kinds}
        for row in rows:
            kind = kind_of.get(row["survey_id"])
            if kind not in result:
                continue
            value = key(row)
            result[kind].setdefault(value, Tally(kind)).add(row)
        return result

    by_survey = per_kind(grouped(), key=lambda row: row["survey_id"])
    by_month = per_kind(grouped(month=TruncMonth("day")), key=lambda row: _as_date(row["month"]))
    by_dimension = {
        name: per_kind(grouped(name), key=lambda row, name=name: row[name]) for name in DIMENSIONS
    }

    names = {s.pk: s.name for s in surveys}
    months = _months(filters.date_from, filters.date_to)
    results = []
    for kind in kinds:
        total = Tally(kind)
        for tally in by_survey[kind].values():
            total.add(vars(tally))
        kind_filters = filters if filters.survey else replace(filters, kind=kind)
        trend = [
            Row(
                label=f"{month:%b %Y}",
                value=f"{month:%Y-%m}",
                tally=by_month[kind].get(month, Tally(kind)),
                query=kind_filters.query(month=f"{month:%Y-%m}"),
            )
            for month in months
        ]
        breakdowns = []
        for name, (title, labels) in DIMENSIONS.items():
            rows = [
                Row(labels.get(value, value), value, tally, kind_filters.query(**{name: value}))
                for value, tally in by_dimension[name][kind].items()
            ]
            breakdowns.append((name, title, _ordered(rows)))
        rows = [
            Row(names.get(pk, str(pk)), str(pk), tally, kind_filters.query(survey=pk, kind=""))
            for pk, tally in by_survey[kind].items()
        ]
        breakdowns.append(("survey", "Survey", _ordered(rows)))
        results.append(
            KindResults(
                kind=kind,
                name=KIND_NAMES[kind],
                total=total,
                trend=trend,
                chart=trend_chart(kind, trend),
                query=kind_filters.query(),
                breakdowns=breakdowns,
            )
        )
    return Results(filters=filters, kinds=results)


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _months(date_from: date, date_to: date) -> list[date]:
    months, month = [], month_start(date_from)
    while month <= date_to:
        months.append(month)
        month = month_start(month, -1)
    return months


def _ordered(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: (-row.tally.responded, row.label))


# --- The trend chart ------------------------------------------------------------------------

# Per kind: the axis from, to, and its ticks; NPS bars grow up or down from zero.
_AXES = {
    Survey.Kind.NPS: (-100, 100, (-100, -50, 0, 50, 100)),
    Survey.Kind.CSAT: (0, 100, (0, 25, 50, 75, 100)),
    Survey.Kind.CES: (1, 7, (1, 2, 3, 4, 5, 6, 7)),
}
_CHART_HEIGHT, _TOP, _BOTTOM, _LEFT, _RIGHT = 230, 12, 40, 46, 8
_PLOT_WIDTH, _SLOT_MIN, _SLOT_MAX = 700, 26, 60


def trend_chart(kind: str, trend: list[Row]) -> Chart:
    low, high, ticks = _AXES[kind]
    plot_height = _CHART_HEIGHT - _TOP - _BOTTOM
    slot = max(_SLOT_MIN, min(_SLOT_MAX, _PLOT_WIDTH // max(len(trend), 1)))
    width = _LEFT + _RIGHT + slot * max(len(trend), 1)

    def y_of(value: float) -> float:
        return round(_TOP + (high - value) / (high - low) * plot_height, 1)

    base = max(low, 0)
    baseline = y_of(base)
    unit = " %" if kind == Survey.Kind.CSAT else ""
    bars = []
    for n, row in enumerate(trend):
        figure = row.tally.figure
        if figure is None:
            continue
        top, bottom = y_of(max(figure, base)), y_of(min(figure, base))
        bars.append(
            Bar(
                x=_LEFT + n * slot + round(slot * 0.15, 1),
                y=top,
                width=round(slot * 0.7, 1),
                height=max(round(bottom - top, 1), 1),
                negative=figure < base,
                title=(
                    f"{row.label}: {KIND_NAMES[kind]} {row.tally.figure_display} from "
                    f"{row.tally.responded:,} answers, response rate "
                    f"{row.tally.response_rate_display}"
                ),
                query=row.query,
            )
        )
    step = -(-len(trend) // 12)  # at most a dozen month labels
    months = [
        MonthLabel(
            x=_LEFT + n * slot + slot / 2,
            label=row.label[:3],
            # The year under the first month and under every January.
            year=row.label[-4:] if n == 0 or row.value.endswith("-01") else "",
        )
        for n, row in enumerate(trend)
        if n % step == 0 or row.value.endswith("-01")
    ]
    span = f"{trend[0].label} to {trend[-1].label}" if trend else "no months"
    return Chart(
        width=width,
        height=_CHART_HEIGHT,
        left=_LEFT,
        right=width - _RIGHT,
        baseline=baseline,
        month_y=_CHART_HEIGHT - _BOTTOM + 14,
        year_y=_CHART_HEIGHT - _BOTTOM + 28,
        bars=bars,
        ticks=[Tick(y_of(t), f"{t}{unit}") for t in ticks],
        months=months,
        label=f"{KIND_NAMES[kind]} per month, {span}",
    )


# --- The answers behind a figure ------------------------------------------------------------


# Each sort ends in the primary key, so that every answer has one place, and has its indexes:
# by time, response_recent_idx (or response_survey_idx, _segment_idx, _touch_point_idx under
# those filters), read backwards for the oldest first; by score, response_score_idx (or
# response_survey_score_idx for one survey).
ANSWER_SORTS = {
    "newest": ("-responded_at", "-id"),
    "oldest": ("responded_at", "id"),
    "lowest": ("score", "-responded_at", "-id"),
}
ANSWER_SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "lowest": "Lowest score first",
}
RESPONSE_ORDER = ANSWER_SORTS["newest"]


def response_cursor(response: Response) -> str:
    """The cursor of the page that starts right after ``response``, newest first."""
    return cursor_of(response, RESPONSE_ORDER)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def answer_order(sort: str) -> tuple[str, ...]:
    """The keyset order of ``sort``; an unknown one is a ValidationError the page shows."""
    try:
        return ANSWER_SORTS[sort]
    except KeyError:
        raise ValidationError(f"Unknown sort '{sort}'.") from None


def response_queryset(*, filters: ResultFilters, month: date | None = None) -> QuerySet:
    """The answers matching ``filters`` (and ``month``, within them), in no order: the page,
    its count and its export each order or count them their own way."""
    date_from, date_to = filters.date_from, filters.date_to
    if month:
        date_from, date_to = max(date_from, month_start(month)), min(date_to, month_end(month))
    answers = Response.objects.filter(
        responded_at__gte=_day_start(date_from),
        responded_at__lt=_day_start(date_to + timedelta(days=1)),
    )
    if filters.survey:
        answers = answers.filter(survey=filters.survey)
    elif filters.kind:
        answers = answers.filter(kind=filters.kind)
    for name in (*DIMENSIONS, "sentiment"):
        if getattr(filters, name):
            answers = answers.filter(**{name: getattr(filters, name)})
    return answers


def response_list(
    *,
    filters: ResultFilters,
    month: date | None = None,
    sort: str = "newest",
    after: str = "",
    before: str = "",
    page_size: int = PAGE_SIZE,
    counted: bool = False,
) -> CountedPage:
    """The answers matching ``filters`` (and ``month``, within them) in ``sort``, a keyset page
    at a time, so page 1,000 costs what page 1 does; with how many there are in all when
    ``counted``. Raises ValidationError for a broken page link or an unknown sort."""
    order = answer_order(sort)
    answers = response_queryset(filters=filters, month=month)
    page = keyset_page(
        answers.select_related("survey", "customer__party").defer("follow_up_answers"),
        order=order,
        after=after,
        before=before,
        page_size=page_size,
    )
    touch_points = dict(TOUCH_POINTS)
    for row in page.rows:
        row.kind_name = KIND_NAMES.get(row.kind, row.kind)
        row.sentiment_name = ANSWER_NAMES.get(row.kind, {}).get(row.sentiment, row.sentiment)
        row.touch_point_name = touch_points.get(row.touch_point, row.touch_point)
    return CountedPage(
        rows=page.rows,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        count=page_counted(answers, page) if counted else None,
    )
