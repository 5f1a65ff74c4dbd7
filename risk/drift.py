"""Drift: how far the customers a run scores have moved from those a model was made for.

When a model is trained it keeps a reference (``RiskModel.reference``): for each feature it
reads, bins and the share in each of the customers it will score, as they stand on the day it
is trained, and the same for its scores of them. Each chunk of a scoring run counts its
customers per bin of the run's model; when the run ends the counts are summed and compared
with the reference by the population stability index (PSI):

    PSI = sum over bins of (p - q) * ln(p / q)

p the run's share in a bin and q the reference's. Below 0.1 the population is stable, from 0.1
to 0.25 it has shifted, above 0.25 the model's figures no longer describe it: an alert.
"""

from collections.abc import Iterable
from itertools import pairwise

import numpy as np
from django.urls import reverse

from customers.roles import staff_with_permission
from customers.services.audit import action_log_record
from work.models import Notification
from work.services import notifications_send

from . import features
from .models import LEARNED_KINDS, RiskModel, ScoreKind, ScoringChunk, ScoringRun

STABLE_BELOW, ALERT_ABOVE = 0.1, 0.25
# A feature with this many distinct values or fewer (flags, counts of products) is binned by
# value; others by the deciles of its training distribution.
MAX_CATEGORIES = 10
DECILES = np.linspace(0.1, 0.9, 9)
# An empty bin would make ln(p / q) infinite: its share is taken as this instead.
SHARE_FLOOR = 1e-4
# The features each learned model's drift is followed on, from the feature table: churn reads
# all of them; the credit card reads the payment behaviour (its declared application facts are
# not in the table a run reads, and stay out of its drift).
CREDIT_FEATURES = (
    "tenure_months",
    "late_invoices_12m",
    "unpaid_60d",
    "unpaid_balance",
    "monthly_charges",
    "age",
    "pays_direct_debit",
)
# The field of a score row that holds each kind's score.
SCORE_FIELDS = {ScoreKind.CHURN: "churn_risk", ScoreKind.CREDIT: "credit_score"}


def drift_features(kind: str) -> tuple[str, ...]:
    """The feature table's columns a kind's drift is followed on (read when called: the table
    gains columns)."""
    names = features.NAMES
    if kind == ScoreKind.CREDIT:
        return tuple(name for name in CREDIT_FEATURES if name in names)
    return tuple(names)


# --- Bins ----------------------------------------------------------------------------------


def bins_of(values: np.ndarray) -> dict:
    """Bins for one column and the share of ``values`` in each: by value when there are few
    distinct values (plus a bin for values never seen in training), else by decile edges."""
    values = np.asarray(values, dtype=float)
    distinct = np.unique(values)
    if len(distinct) <= MAX_CATEGORIES:
        spec = {"values": distinct.tolist()}
    else:
        spec = {"edges": np.unique(np.quantile(values, DECILES)).tolist()}
    counts = bin_counts(values, spec)
    spec["shares"] = (counts / max(len(values), 1)).round(6).tolist()
    return spec


def bin_counts(values: np.ndarray, spec: dict) -> np.ndarray:
    """How many of ``values`` fall in each bin of ``spec``: one searchsorted and one bincount."""
    values = np.asarray(values, dtype=float)
    if "values" in spec:
        known = np.asarray(spec["values"], dtype=float)
        slots = len(known) + 1  # the last: a value training never had
        if not len(known):
            return np.bincount(np.full(len(values), 0), minlength=slots)
        at = np.searchsorted(known, values)
        found = known[np.minimum(at, len(known) - 1)] == values
        index = np.where(found, at, len(known))
    else:
        edges = np.asarray(spec["edges"], dtype=float)
        slots = len(edges) + 1
        index = np.searchsorted(edges, values, side="right")
    return np.bincount(index, minlength=slots)


def bin_labels(spec: dict) -> list[str]:
    """Readable bins, for a page or a report."""
    if "values" in spec:
        return [f"{value:g}" for value in spec["values"]] + ["other"]
    edges = spec["edges"]
    if not edges:
        return ["all"]
    return (
        [f"below {edges[0]:g}"]
        + [f"{low:g} to {high:g}" for low, high in pairwise(edges)]
        + [f"{edges[-1]:g} or more"]
    )


# --- The reference a model keeps ------------------------------------------------------------


def reference_of(kind: str, table, scores: np.ndarray | None) -> dict:
    """A model's drift reference from the customers it was made for (a ``FeatureTable`` of
    the base on the day it was trained) and its scores of them (None when they could not be
    scored)."""
    reference = {
        "rows": len(table),
        "features": {name: bins_of(table.column(name)) for name in drift_features(kind)},
    }
    if scores is not None and len(scores):
        reference["score"] = bins_of(scores)
        reference["scored_rows"] = len(scores)
    return reference


# --- Counting a chunk -----------------------------------------------------------------------


def chunk_counts(table, scores, models: Iterable[RiskModel]) -> dict:
    """Per learned model with a reference: the chunk's customers per bin of each feature and
    of the score. ``table`` is the chunk's feature table, ``scores`` its ``ChunkScores``."""
    counts = {}
    if not len(table):
        return counts
    names = features.NAMES
    for model in models:
        reference = model.reference or {}
        if model.kind not in LEARNED_KINDS or not reference.get("features"):
            continue
        counted = {
            name: bin_counts(table.values[:, names.index(name)], spec).tolist()
            for name, spec in reference["features"].items()
            if name in names
        }
        entry = {"model": model.pk, "rows": len(table), "features": counted}
        if "score" in reference:
            field = SCORE_FIELDS[model.kind]
            scored = np.asarray(getattr(scores, field), dtype=float)
            entry["score"] = bin_counts(scored, reference["score"]).tolist()
        counts[model.kind] = entry
    return counts


# --- Settling a run -------------------------------------------------------------------------


def psi(actual, expected) -> float:
    """The population stability index of ``actual`` against ``expected`` (counts or shares
    per bin, the same bins); 0 when either is empty."""
    p, q = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if p.sum() <= 0 or q.sum() <= 0:
        return 0.0
    p = np.maximum(p / p.sum(), SHARE_FLOOR)
    q = np.maximum(q / q.sum(), SHARE_FLOOR)
    return float(np.sum((p - q) * np.log(p / q)))


def drift_status(value: float) -> str:
    if value > ALERT_ABOVE:
        return "alert"
    if value >= STABLE_BELOW:
        return "shift"
    return "stable"


def run_drift(run: ScoringRun) -> dict:
    """The run's drift per learned model: the chunks' counts summed (each chunk once, as it
    stored them) and compared with the reference of the model the run scored with."""
    totals: dict[str, dict] = {}
    chunks = ScoringChunk.objects.filter(run_id=run.pk, failed=False).exclude(drift_counts={})
    for counts in chunks.values_list("drift_counts", flat=True).iterator():
        for kind, entry in counts.items():
            total = totals.setdefault(kind, {"model": entry["model"], "rows": 0, "features": {}})
            if total["model"] != entry["model"]:
                continue  # a run scores with one version per kind: never the case
            total["rows"] += entry["rows"]
            for name, bins in entry["features"].items():
                total["features"][name] = _added(total["features"].get(name), bins)
            if "score" in entry:
                total["score"] = _added(total.get("score"), entry["score"])
    references = dict(
        RiskModel.objects.filter(pk__in=[t["model"] for t in totals.values()]).values_list(
            "pk", "reference"
        )
    )
    drift = {}
    for kind, total in totals.items():
        reference = references.get(total["model"]) or {}
        by_feature = {
            name: round(psi(bins, reference["features"][name]["shares"]), 4)
            for name, bins in total["features"].items()
            if name in reference.get("features", {})
        }
        score = (
            round(psi(total["score"], reference["score"]["shares"]), 4)
            if "score" in total and "score" in reference
            else None
        )
        worst = max([score or 0.0, *by_feature.values()])
        drift[kind] = {
            "model": total["model"],
            "rows": total["rows"],
            "score_psi": score,
            "features": dict(sorted(by_feature.items(), key=lambda item: -item[1])),
            "status": drift_status(worst),
            "alerts": [name for name, value in by_feature.items() if value > ALERT_ABOVE]
            + (["score"] if score is not None and score > ALERT_ABOVE else []),
        }
    return drift


def _added(total: list[int] | None, bins: list[int]) -> list[int]:
    if total is None:
        return list(bins)
    return [a + b for a, b in zip(total, bins, strict=True)]


# --- Recording an alert ----------------------------------------------------------------------


def drift_alerts_record(run: ScoringRun) -> list[str]:
    """For each model in alert, an entry in the audit log (who: the run; what: the model, its
    score's PSI and the features past the threshold), in the transaction that finishes the run,
    so once per run. The risk page shows the alert from the run until a newer run settles.
    Returns the kinds alerted."""
    alerted = [kind for kind, entry in (run.drift or {}).items() if entry["status"] == "alert"]
    for kind in alerted:
        entry = run.drift[kind]
        action_log_record(
            action="risk_model.drift_alert",
            customer=None,
            actor=f"scoring run {run.pk}",
            data={
                "kind": kind,
                "model": entry["model"],
                "run": run.pk,
                "text": drift_alert_text(kind, entry),
                "score_psi": entry["score_psi"],
                "alerts": {
                    name: entry["features"].get(name, entry["score_psi"])
                    for name in entry["alerts"]
                },
            },
        )
        _analysts_notify(drift_alert_text(kind, run.drift[kind]))
    return alerted


def _analysts_notify(text: str) -> None:
    """A notice to everyone who trains the models, so an alert is acted on, not just shown."""
    notifications_send(
        recipients=staff_with_permission("risk.train_riskmodel"),
        kind=Notification.Kind.ALERT,
        text=text,
        link_url=reverse("risk:overview") + "#drift-h",
    )


def drift_alert_text(kind: str, entry: dict) -> str:
    label = ScoreKind(kind).label.lower()
    moved = [f"{name} {entry['features'][name]:.2f}" for name in entry["alerts"] if name != "score"]
    parts = []
    if entry["score_psi"] is not None and entry["score_psi"] > ALERT_ABOVE:
        parts.append(f"its score {entry['score_psi']:.2f}")
    if moved:
        parts.append(", ".join(moved[:3]) + (" and more" if len(moved) > 3 else ""))
    return (
        f"Drift alert on the {label} model: PSI above {ALERT_ABOVE} for {'; '.join(parts)}. "
        "The customers no longer look like those it learned on: review it and retrain."
    )
