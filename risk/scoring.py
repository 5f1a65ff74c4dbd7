"""Scoring a table of customers and writing the scores: shared by full runs (``runs``) and the
rescore of one customer (``services``).

A chunk's history rows go in with COPY and the latest scores with one upsert; the value segment
of a new score is read from the thresholds the last finished run settled.
"""

import json
from datetime import date
from decimal import Decimal

import numpy as np
from django.db import connection

from crm.bulk import bulk_copy, bulk_upsert
from customers.models import CustomerRelationship, LatestScores

from .boosting import churn_probability, credit_scored
from .features import FeatureTable
from .fraud_signals import fraud_signals
from .models import CreditApplication, CustomerScore, RiskModel, ScoreKind, ScoringRun
from .scorers import fraud_score, influence_score, value_score


def score_table(
    table: FeatureTable,
    as_of: date,
    models: dict[str, RiskModel],
    reach: dict[int, float],
    *,
    run: ScoringRun | None = None,
) -> list[dict]:
    """Every score of every row of ``table``, with reasons; nothing is written. A chunk of
    ``run`` reads the shared keys the run counted for the whole base."""
    if not len(table):
        return []
    ids = table.customer_ids.tolist()
    churn = churn_probability(table, models[ScoreKind.CHURN].artifact)
    applications = applications_as_of(ids, as_of)
    credit = credit_scored(table, models[ScoreKind.CREDIT].artifact, applications)
    signals = fraud_signals(ids, as_of, table, run=run)
    fraud = fraud_score(table, signals, models[ScoreKind.FRAUD].artifact)
    links, reaches = _links(ids), np.array([reach.get(pk, 0.0) for pk in ids])
    influence = influence_score(table, churn.values, reaches, links)
    value = value_score(table, churn.values, models[ScoreKind.VALUE].artifact)
    rows = []
    for i, customer_id in enumerate(ids):
        rows.append(
            {
                "customer_id": customer_id,
                "churn_risk": round(float(churn.values[i]), 4),
                "credit_score": int(credit.values[i]),
                "credit_rating": credit.bands[i],
                "fraud_risk": round(float(fraud.values[i]), 4),
                "influence": round(float(influence.values[i]), 4),
                "lifetime_value": Decimal(f"{value.values[i]:.2f}"),
                "network_reach": round(float(reaches[i]), 4),
                "reasons": {
                    ScoreKind.CHURN: churn.reasons[i],
                    ScoreKind.CREDIT: credit.reasons[i],
                    ScoreKind.FRAUD: fraud.reasons[i],
                    ScoreKind.INFLUENCE: influence.reasons[i],
                    ScoreKind.VALUE: value.reasons[i],
                },
            }
        )
    return rows


def applications_as_of(customer_ids: list[int], as_of: date) -> list[dict]:
    """The latest credit application of each customer made by ``as_of`` ({} when none)."""
    applications = CreditApplication.objects.filter(
        customer_id__gte=min(customer_ids, default=0),
        customer_id__lte=max(customer_ids, default=0),
        applied_on__lte=as_of,
    ).values_list("customer_id", "applied_on", "characteristics")
    if connection.vendor == "postgresql":
        # Only the latest of each customer leaves the database (its JSON is the cost).
        applications = applications.order_by("customer_id", "-applied_on", "-id").distinct(
            "customer_id"
        )
    latest: dict[int, tuple[date, dict]] = {}
    for customer_id, applied_on, characteristics in applications:
        if customer_id not in latest or latest[customer_id][0] < applied_on:
            latest[customer_id] = (applied_on, characteristics)
    return [latest.get(pk, (None, {}))[1] for pk in customer_ids]


def _links(customer_ids: list[int]) -> np.ndarray:
    position = {pk: i for i, pk in enumerate(customer_ids)}
    counts = np.zeros(len(customer_ids))
    low, high = min(customer_ids), max(customer_ids)
    for column in ("from_customer_id", "to_customer_id"):
        for customer_id in CustomerRelationship.objects.filter(
            **{f"{column}__gte": low, f"{column}__lte": high}
        ).values_list(column, flat=True):
            if customer_id in position:
                counts[position[customer_id]] += 1
    return counts


def network_reach() -> dict[int, float]:
    """PageRank of every connected customer in the relationship graph, 1.0 being average.

    Links count both ways (a referral, a household, a contact person tie two people); power
    iteration on a sparse matrix takes well under a second for a million links.
    """
    from scipy import sparse  # here, not at the top: it is slow to load for every process

    edges = np.array(
        list(CustomerRelationship.objects.values_list("from_customer_id", "to_customer_id")),
        dtype=np.int64,
    ).reshape(-1, 2)
    if not len(edges):
        return {}
    nodes, index = np.unique(edges, return_inverse=True)
    index = index.reshape(-1, 2)
    n = len(nodes)
    rows = np.concatenate([index[:, 0], index[:, 1]])
    cols = np.concatenate([index[:, 1], index[:, 0]])
    adjacency = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    out_degree = np.asarray(adjacency.sum(axis=1)).ravel()
    transition = sparse.diags(1.0 / out_degree) @ adjacency
    rank = np.full(n, 1.0 / n)
    damping = 0.85
    for _ in range(100):
        updated = (1 - damping) / n + damping * (transition.T @ rank)
        if np.abs(updated - rank).sum() < 1e-10:
            rank = updated
            break
        rank = updated
    relative = rank * n
    return dict(zip(nodes.tolist(), relative.round(4).tolist(), strict=True))


_reach_cache: dict[int, dict[int, float]] = {}


def reach_for_run(run_id: int) -> dict[int, float]:
    """Computed once per run in each worker process: every chunk reads the same graph."""
    if run_id not in _reach_cache:
        _reach_cache.clear()
        _reach_cache[run_id] = network_reach()
    return _reach_cache[run_id]


def _segment(value: Decimal, thresholds: dict) -> str:
    if thresholds and value >= Decimal(str(thresholds["top"])):
        return LatestScores.ValueSegment.TOP
    if thresholds and value >= Decimal(str(thresholds["high"])):
        return LatestScores.ValueSegment.HIGH
    return LatestScores.ValueSegment.STANDARD


# The scores a history row and the latest scores both hold, in this order.
FIGURES = (
    "churn_risk",
    "credit_score",
    "credit_rating",
    "fraud_risk",
    "influence",
    "lifetime_value",
)
HISTORY_FIELDS = (
    "customer_id",
    "run_id",
    "scored_at",
    *FIGURES,
    "network_reach",
    "reasons",
    "models_used",
)


def _figures(row: dict) -> tuple:
    return tuple(row[name] for name in FIGURES)


LATEST_FIELDS = (*FIGURES, "value_segment", "value_at_risk", "scored_at")


def scores_write(
    rows: list[dict], *, run: ScoringRun | None, models_used: dict[str, int], scored_at
) -> None:
    if not rows:
        return
    thresholds = _current_thresholds()
    # COPY takes JSON as text: each row's reasons are dumped once, the run's models once for
    # all rows (bulk_copy's other path, bulk_create, wants the objects themselves).
    as_json = json.dumps if connection.vendor == "postgresql" else (lambda value: value)
    run_id, used = (run.pk if run else None), as_json(models_used)
    history = [
        (
            row["customer_id"],
            run_id,
            scored_at,
            *_figures(row),
            row["network_reach"],
            as_json(row["reasons"]),
            used,
        )
        for row in rows
    ]
    bulk_copy(CustomerScore, HISTORY_FIELDS, history)
    cent = Decimal("0.01")
    latest = [
        (
            row["customer_id"],
            *_figures(row),
            _segment(row["lifetime_value"], thresholds),
            (row["lifetime_value"] * Decimal(str(row["churn_risk"]))).quantize(cent),
            scored_at,
        )
        for row in rows
    ]
    _upsert_latest(latest)


def _upsert_latest(latest: list[tuple]) -> None:
    """A customer whose scores came out the same is not rewritten: most scores of a nightly run
    do not move, and every rewrite of this table adds an entry to each of its indexes.
    ``scored_at`` then tells since when the scores stand. ``latest``: tuples of the customer
    id and ``LATEST_FIELDS``."""
    bulk_upsert(
        LatestScores,
        ["customer", *LATEST_FIELDS],
        latest,
        unique_field="customer",
        changed_only=[name for name in LATEST_FIELDS if name != "scored_at"],
    )


def _current_thresholds() -> dict:
    last = (
        ScoringRun.objects.filter(status=ScoringRun.Status.DONE)
        .exclude(value_thresholds={})
        .order_by("-finished_at")
        .values_list("value_thresholds", flat=True)
        .first()
    )
    return last or {}
