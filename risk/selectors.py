"""Reads for pages: a customer's scores with their reasons and trend."""

from customers.models import Customer, LatestScores

from .models import CustomerScore, ScoreKind

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
