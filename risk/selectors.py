"""Reads for pages: a customer's scores, the analysts' overview and the retention work list."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Floor, Least

from crm.counting import CountedPage, page_counted
from crm.keyset import keyset_page
from customers.models import Customer, LatestScores

from .drift_selectors import drift_overview
from .models import LEARNED_KINDS, CustomerScore, RescoreRequest, RiskModel, ScoreKind, ScoringRun

TREND_POINTS = 12
_CHART_WIDTH, _CHART_HEIGHT = 120, 28


# Which way each kind's reasons push it, so that "pays 70.00 a month" reads as a cost.
_REASONS_LEAD = {
    ScoreKind.CHURN: "raised by",
    ScoreKind.CREDIT: "lowered by",
    ScoreKind.FRAUD: "raised by",
    ScoreKind.INFLUENCE: "comes from",
    ScoreKind.VALUE: "comes from",
}


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
        "reasons": [
            (label, _REASONS_LEAD[kind], reasons.get(kind, [])) for kind, label in ScoreKind.choices
        ],
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
_NOT_MEASURED = "—"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: int  # in pixels, of _BAR_WIDTH for the largest bar


@dataclass(frozen=True)
class Comparison:
    """A candidate against the active version, side by side: first on the candidate's
    held-out customers (both measured on the same rows), then each on its own training."""

    rows: list[tuple[str, object, object]]  # what, the candidate's, the active version's
    verdict: str


@dataclass(frozen=True)
class ChampionFigures:
    """The version in use: its held-out figures, and why it was made active."""

    rows: list[tuple[str, object]]
    decision: str


@dataclass(frozen=True)
class ModelKindPanel:
    kind: str
    label: str
    learned: bool
    active: RiskModel | None
    candidate: RiskModel | None
    comparison: Comparison | None
    roll_back_to: RiskModel | None
    versions: list[RiskModel]
    champion: ChampionFigures | None = None


def _bars(counts: list[tuple[str, int]]) -> list[Bar]:
    top = max((count for _, count in counts), default=0) or 1
    return [Bar(label, count, round(_BAR_WIDTH * count / top)) for label, count in counts]


def model_roll_back_target(current: RiskModel) -> RiskModel | None:
    """The version a roll back from ``current`` returns to: the one activated most recently
    before ``current`` was."""
    if current.activated_at is None:
        return None
    return (
        RiskModel.objects.filter(kind=current.kind, activated_at__lt=current.activated_at)
        .exclude(pk=current.pk)
        .defer("artifact")
        .order_by("-activated_at", "-version")
        .first()
    )


def _comparison(candidate: RiskModel, active: RiskModel) -> Comparison:
    metrics, own = candidate.metrics, active.metrics
    compared = metrics.get("compared_with") or {}
    same_rows = compared.get("version") == active.version
    held_out = metrics.get("held_out_rows")
    customers = f"{held_out} held-out customers" if held_out else "held-out customers"
    rows = []
    for key, what in (
        ("roc_auc", f"ROC AUC on the candidate's {customers} (higher is better)"),
        ("brier", "Brier score on the same customers (lower is better)"),
    ):
        if key in metrics:
            theirs = compared.get(key, _NOT_MEASURED) if same_rows else _NOT_MEASURED
            rows.append((what, metrics[key], theirs))
    if compared.get("auc_gain_ci") and same_rows:
        rows.append(
            (
                f"ROC AUC gain over v{active.version}, 95 % interval (paired bootstrap)",
                gain_interval_text(compared["auc_gain_ci"]),
                _NOT_MEASURED,
            )
        )
    rows += [
        (
            "ROC AUC, 5-fold, on its own training data",
            metrics.get("cv_roc_auc", _NOT_MEASURED),
            own.get("cv_roc_auc", _NOT_MEASURED),
        ),
        *_class_rows(metrics, own),
        (
            "Customers in its data (a quarter held out)",
            candidate.training_rows,
            active.training_rows,
        ),
        ("Data as of", candidate.as_of.isoformat(), active.as_of.isoformat()),
    ]
    decision = metrics.get("decision")
    if decision and not decision["promoted"]:
        verdict = f"Kept as a candidate: {decision['reason']}"
        if "roc_auc" in compared and "ROC AUC " not in decision["reason"]:
            verdict += f" (ROC AUC {metrics['roc_auc']} against {compared['roc_auc']})"
        verdict += "."
    elif "roc_auc" not in metrics:
        verdict = "Not compared: its parameters have no held-out measure."
    elif "error" in compared:
        verdict = f"v{compared.get('version')} {compared['error']}."
    elif "roc_auc" in compared:
        versus = f"ROC AUC {metrics['roc_auc']} against {compared['roc_auc']}"
        if metrics["roc_auc"] < compared["roc_auc"]:
            verdict = (
                f"Kept as a candidate: it ranks these customers less well than "
                f"v{compared['version']} ({versus})."
            )
        else:
            verdict = (
                f"It ranks these customers at least as well as v{compared['version']} ({versus})."
            )
        if not same_rows:
            verdict += f" v{active.version} has been made active since it was trained."
    else:
        verdict = "Not compared: no version was active when it was trained."
    return Comparison(rows=rows, verdict=verdict)


# The model classes a training fits and measures on the same held-out customers.
_CLASS_LABELS = {
    "logistic": "logistic",
    "scorecard": "points scorecard",
    "boosted": "boosted trees",
}


def _class_rows(metrics: dict, own: dict) -> list[tuple[str, object, object]]:
    """Each model class fitted at training, measured on that training's held-out customers;
    the one chosen marked. Earlier versions have none."""
    rows = []
    classes = dict.fromkeys([*(metrics.get("candidates") or {}), *(own.get("candidates") or {})])
    for name in classes:
        label = _CLASS_LABELS.get(name, name)
        rows.append(
            (
                f"{label.capitalize()}: ROC AUC / Brier on its training's held-out customers",
                _class_figures(metrics, name),
                _class_figures(own, name),
            )
        )
    return rows


def _class_figures(metrics: dict, name: str) -> str:
    figures = (metrics.get("candidates") or {}).get(name)
    if not figures:
        return _NOT_MEASURED
    shown = f"{figures.get('roc_auc', _NOT_MEASURED)} / {figures.get('brier', _NOT_MEASURED)}"
    return f"{shown} (chosen)" if metrics.get("chosen") == name else shown


def gain_interval_text(interval) -> str:
    low, high = interval
    return f"{low:+.4f} to {high:+.4f}"


def _champion_figures(active: RiskModel) -> ChampionFigures:
    metrics = active.metrics
    compared = metrics.get("compared_with") or {}
    rows = [
        (what, metrics[key])
        for key, what in (("roc_auc", "ROC AUC, held out"), ("brier", "Brier score, held out"))
        if key in metrics
    ]
    if compared.get("auc_gain_ci"):
        rows.append(
            (
                f"ROC AUC gain over v{compared.get('version')}, 95 % interval",
                gain_interval_text(compared["auc_gain_ci"]),
            )
        )
    for name in metrics.get("candidates") or {}:
        label = _CLASS_LABELS.get(name, name).capitalize()
        rows.append((f"{label}: ROC AUC / Brier", _class_figures(metrics, name)))
    decision = metrics.get("decision")
    if decision is None:
        why = "trained before decisions were recorded"
    elif decision["promoted"]:
        why = f"made active at training: {decision['reason']}"
    else:
        why = f"kept as a candidate at training ({decision['reason']}), then promoted by hand"
    return ChampionFigures(rows=rows, decision=why)


def _kind_panel(kind: str, label: str, models: list[RiskModel]) -> ModelKindPanel:
    active = next((m for m in models if m.is_active), None)
    # A candidate was never made active: a version rolled back from is history, not a proposal.
    candidate = (
        next(
            (m for m in models if m.version > active.version and m.activated_at is None),
            None,
        )
        if active
        else None
    )
    return ModelKindPanel(
        kind=kind,
        label=label,
        learned=kind in LEARNED_KINDS,
        active=active,
        candidate=candidate,
        comparison=_comparison(candidate, active) if candidate else None,
        roll_back_to=model_roll_back_target(active) if active else None,
        versions=models[:MODEL_VERSIONS_SHOWN],
        champion=_champion_figures(active) if active and kind in LEARNED_KINDS else None,
    )


def risk_overview() -> dict:
    """Model versions with their metrics (per kind the active one, a candidate waiting beside
    it, and the version a roll back returns to), recent runs, and how the base is spread over
    the churn risk deciles and credit ratings (two grouped counts over the latest scores)."""
    models = list(
        RiskModel.objects.select_related("trained_by")
        .defer("artifact", "reference")
        .order_by("kind", "-version")
    )
    for model in models:
        model.metric_items = [
            (label, model.metrics[key]) for key, label in _METRIC_LABELS if key in model.metrics
        ]
    panels = [
        _kind_panel(kind, label, [m for m in models if m.kind == kind])
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
        "model_panels": panels,
        "runs": runs,
        # A click on "score now" carries it: a run newer than this was started by another.
        "newest_run_id": max((run.pk for run in runs), default=0),
        "scored_customers": sum(ratings.values()),
        "churn_bars": _bars(
            [(f"{d * 10} to {d * 10 + 10} %", deciles.get(d, 0)) for d in range(10)]
        ),
        "credit_bars": _bars(
            [(label, ratings.get(value, 0)) for value, label in LatestScores.CreditRating.choices]
        ),
        "pending_rescores": RescoreRequest.objects.count(),
        "drift": drift_overview(),
    }


# --- The retention work list ------------------------------------------------------------------


# Each sort ends in the customer (the primary key), so that every row has one place, and has
# its index: scores_retention_idx, scores_churn_idx, scores_value_idx.
RETENTION_SORTS = {
    "value_at_risk": ("-value_at_risk", "-customer_id"),
    "churn": ("-churn_risk", "-customer_id"),
    "value": ("-lifetime_value", "-customer_id"),
}
RETENTION_SORT_LABELS = {
    "value_at_risk": "Most value at risk",
    "churn": "Highest churn risk",
    "value": "Highest lifetime value",
}
RETENTION_ORDER = RETENTION_SORTS["value_at_risk"]


def retention_order(sort: str) -> tuple[str, ...]:
    """The keyset order of ``sort``; an unknown one is a ValidationError the page shows."""
    try:
        return RETENTION_SORTS[sort]
    except KeyError:
        raise ValidationError(f"Unknown sort '{sort}'.") from None


def retention_queryset(
    *,
    value_segment: str = "",
    account_manager_id: int | None = None,
    churn_at_least: float | None = None,
):
    """The latest scores of the active customers the retention filters select, unordered: the
    page, its count and its export each order or count them their own way."""
    scores = LatestScores.objects.filter(customer__status=Customer.Status.ACTIVE)
    if value_segment:
        scores = scores.filter(value_segment=value_segment)
    if account_manager_id:
        scores = scores.filter(customer__account_manager_id=account_manager_id)
    if churn_at_least is not None:
        scores = scores.filter(churn_risk__gte=churn_at_least)
    return scores


def churn_reasons_of(customer_ids) -> dict[int, list[str]]:
    """The churn reasons of each customer's newest score, for many customers in one query."""
    newest = CustomerScore.objects.filter(customer=OuterRef("customer_id")).order_by(
        "-scored_at", "-id"
    )
    reasons = CustomerScore.objects.filter(
        pk__in=LatestScores.objects.filter(customer_id__in=list(customer_ids))
        .annotate(score_id=Subquery(newest.values("pk")[:1]))
        .values("score_id")
    ).values_list("customer_id", "reasons")
    return {customer_id: (found or {}).get(ScoreKind.CHURN, []) for customer_id, found in reasons}


def retention_work_list(
    *,
    value_segment: str = "",
    account_manager_id: int | None = None,
    churn_at_least: float | None = None,
    sort: str = "value_at_risk",
    after: str = "",
    before: str = "",
    page_size: int = 50,
    counted: bool = False,
) -> CountedPage:
    """Active customers by value at risk (lifetime value times churn risk), most first, or as
    ``sort`` says, each with the reasons of their churn risk: who to call today, and what to
    talk about. A keyset page at a time, with how many rows there are in all when ``counted``;
    raises ValidationError for a broken page link or an unknown sort."""
    order = retention_order(sort)
    scores = retention_queryset(
        value_segment=value_segment,
        account_manager_id=account_manager_id,
        churn_at_least=churn_at_least,
    )
    page = keyset_page(
        scores.select_related("customer__party", "customer__account_manager"),
        order=order,
        after=after,
        before=before,
        page_size=page_size,
    )
    reasons = churn_reasons_of(row.customer_id for row in page.rows)
    for row in page.rows:
        row.churn_reasons = reasons.get(row.customer_id, [])
    return CountedPage(
        rows=page.rows,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        count=page_counted(scores, page) if counted else None,
    )
