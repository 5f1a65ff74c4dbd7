"""Reads for pages: a customer's scores, the analysts' overview and the retention work list."""

from dataclasses import dataclass

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Floor, Least

from customers.models import Customer, LatestScores

from .models import LEARNED_KINDS, CustomerScore, RescoreRequest, RiskModel, ScoreKind, ScoringRun

TREND_POINTS = 12
_CHART_WIDTH, _CHART_HEIGHT = 120, 28


def customer_scores(customer: Customer) -> dict:
    """The panel on the customer page: newest scores, their reasons, the churn trend."""
    history = list(
        CustomerScore.objects.filter(customer=customer)
        .order_by("-scored_at", "-id")
        .only("scored_at", "churn_risk", "credit_score", "credit_rating", "reasons", "models_used")[
            :TREND_POINTS
        ]
    )
    latest = LatestScores.objects.filter(customer=customer).first()
    newest = history[0] if history else None
    reasons = newest.reasons if newest else {}
    return {
        "scores": latest,
        "scored": newest,
        "reasons": [(label, reasons.get(kind, [])) for kind, label in ScoreKind.choices],
        "churn_trend": _polyline([h.churn_risk for h in reversed(history)]),
        "trend_size": (_CHART_WIDTH, _CHART_HEIGHT),
    }


def _polyline(values: list[float]) -> str:
    """SVG polyline points for a small trend chart, drawn on the server: no script, no CDN."""
    if len(values) < 2:
        return ""
    top = max(max(values), 0.01)
    step = _CHART_WIDTH / (len(values) - 1)
    return " ".join(
        f"{i * step:.1f},{_CHART_HEIGHT - 2 - (value / top) * (_CHART_HEIGHT - 4):.1f}"
        for i, value in enumerate(values)
    )


# --- The analysts' risk page ------------------------------------------------------------------

MODEL_VERSIONS_SHOWN = 5
RUNS_SHOWN = 20
_BAR_WIDTH = 220
_METRIC_LABELS = (
    ("roc_auc", "ROC AUC (held out)"),
    ("cv_roc_auc", "ROC AUC (5-fold)"),
    ("brier", "Brier score"),
    ("cv_brier", "Brier score (5-fold)"),
    ("base_rate", "Base rate"),
    ("source", "Source"),
)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: int  # in pixels, of _BAR_WIDTH for the largest bar


def _bars(counts: list[tuple[str, int]]) -> list[Bar]:
    top = max((count for _, count in counts), default=0) or 1
    return [Bar(label, count, round(_BAR_WIDTH * count / top)) for label, count in counts]


def risk_overview() -> dict:
    """Model versions with their metrics, recent runs, and how the base is spread over the
    churn risk deciles and credit ratings (two grouped counts over the latest scores)."""
    models = list(
        RiskModel.objects.select_related("trained_by")
        .defer("artifact")
        .order_by("kind", "-version")
    )
    for model in models:
        model.metric_items = [
            (label, model.metrics[key]) for key, label in _METRIC_LABELS if key in model.metrics
        ]
    versions = [
        (
            kind,
            label,
            kind in LEARNED_KINDS,
            [m for m in models if m.kind == kind][:MODEL_VERSIONS_SHOWN],
        )
        for kind, label in ScoreKind.choices
    ]
    runs = list(ScoringRun.objects.select_related("requested_by")[:RUNS_SHOWN])
    deciles = dict(
        LatestScores.objects.annotate(
            decile=Cast(Least(Floor(F("churn_risk") * 10), Value(9.0)), IntegerField())
        )
        .values_list("decile")
        .annotate(n=Count("pk"))
        .values_list("decile", "n")
    )
    ratings = dict(
        LatestScores.objects.values_list("credit_rating")
        .annotate(n=Count("pk"))
        .values_list("credit_rating", "n")
    )
    return {
        "versions": versions,
        "runs": runs,
        "scored_customers": sum(ratings.values()),
        "churn_bars": _bars(
            [(f"{d * 10} to {d * 10 + 10} %", deciles.get(d, 0)) for d in range(10)]
        ),
        "credit_bars": _bars(
            [(label, ratings.get(value, 0)) for value, label in LatestScores.CreditRating.choices]
        ),
        "pending_rescores": RescoreRequest.objects.count(),
    }


# --- The retention work list ------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionPage:
    rows: list[LatestScores]
    page: int
    has_next: bool


def retention_work_list(
    *,
    value_segment: str = "",
    account_manager_id: int | None = None,
    churn_at_least: float | None = None,
    page: int = 1,
    page_size: int = 50,
) -> RetentionPage:
    """Active customers by value at risk (lifetime value times churn risk), most first, each
    with the reasons of their churn risk: who to call today, and what to talk about."""
    scores = LatestScores.objects.filter(customer__status=Customer.Status.ACTIVE)
    if value_segment:
        scores = scores.filter(value_segment=value_segment)
    if account_manager_id:
        scores = scores.filter(customer__account_manager_id=account_manager_id)
    if churn_at_least is not None:
        scores = scores.filter(churn_risk__gte=churn_at_least)
    start = (page - 1) * page_size
    rows = list(
        scores.select_related("customer__party", "customer__account_manager").order_by(
            "-value_at_risk", "-customer_id"
        )[start : start + page_size + 1]
    )
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    newest = CustomerScore.objects.filter(customer=OuterRef("customer_id")).order_by(
        "-scored_at", "-id"
    )
    reasons = dict(
        CustomerScore.objects.filter(
            pk__in=LatestScores.objects.filter(customer_id__in=[r.customer_id for r in rows])
            .annotate(score_id=Subquery(newest.values("pk")[:1]))
            .values("score_id")
        ).values_list("customer_id", "reasons")
    )
    for row in rows:
        row.churn_reasons = reasons.get(row.customer_id, {}).get(ScoreKind.CHURN, [])
    return RetentionPage(rows=rows, page=page, has_next=has_next)
