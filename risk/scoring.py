"""Scoring a table of customers and writing the scores: shared by full runs (``runs``) and the
rescore of one customer (``services``).

A chunk's history rows go in with COPY and the latest scores with one upsert; the value segment
of a new score is read from the thresholds the last finished run settled.
"""

import json
from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import connection

from crm.bulk import bulk_copy_columns, bulk_upsert_columns
from customers.models import CustomerRelationship, LatestScores

from .boosting import churn_probability, credit_scored
from .features import FeatureTable
from .fraud_signals import fraud_signals
from .models import CreditApplication, CustomerScore, RiskModel, ScoreKind, ScoringRun
from .scorers import fraud_score, influence_score, value_score


@dataclass(frozen=True)
class ChunkScores:
    """Every score of a set of customers, column by column: row ``i`` is ``customer_ids[i]``.

    Kept as columns from the scorers to the COPY that stores them: a dict and a Decimal per
    customer would cost a chunk of twenty thousand more than scoring it.
    """

    customer_ids: np.ndarray  # int64
    churn_risk: np.ndarray  # rounded to 4 places, as every risk is stored
    credit_score: np.ndarray  # int64
    credit_rating: list[str]
    fraud_risk: np.ndarray
    influence: np.ndarray
    lifetime_value: np.ndarray  # text, to the cent ("1234.56"): the exact amount stored
    network_reach: np.ndarray
    reasons: list[dict[str, list[str]]]

    @classmethod
    def none(cls) -> "ChunkScores":
        integers, floats = np.empty(0, dtype=np.int64), np.empty(0)
        return cls(
            integers, floats, integers, [], floats, floats, np.empty(0, dtype=str), floats, []
        )

    def __len__(self) -> int:
        return len(self.customer_ids)

    def lifetime_value_cents(self) -> np.ndarray:
        if not len(self.lifetime_value):  # numpy's text functions refuse an empty array
            return np.empty(0, dtype=np.int64)
        return np.char.replace(self.lifetime_value, ".", "").astype(np.int64)

    def value_at_risk_cents(self) -> np.ndarray:
        """Lifetime value times churn risk, to the cent, halves to even: what
        ``(Decimal(value) * Decimal(risk)).quantize(Decimal("0.01"))`` gives, for every row."""
        millionths = self.lifetime_value_cents() * np.rint(self.churn_risk * 10_000).astype(
            np.int64
        )
        cents, rest = np.divmod(millionths, 10_000)
        return cents + ((rest > 5_000) | ((rest == 5_000) & (cents % 2 == 1)))


def score_table(
    table: FeatureTable,
    as_of: date,
    models: dict[str, RiskModel],
    reach: dict[int, float],
    *,
    run: ScoringRun | None = None,
) -> ChunkScores:
    """Every score of every row of ``table``, with reasons; nothing is written. A chunk of
    ``run`` reads the shared keys the run counted for the whole base."""
    ids = table.customer_ids.tolist()
    if not ids:
        return ChunkScores.none()
    churn = churn_probability(table, models[ScoreKind.CHURN].artifact)
    applications = applications_as_of(ids, as_of)
    credit = credit_scored(table, models[ScoreKind.CREDIT].artifact, applications)
    signals = fraud_signals(ids, as_of, table, run=run)
    fraud = fraud_score(table, signals, models[ScoreKind.FRAUD].artifact)
    links, reaches = _links(ids), np.array([reach.get(pk, 0.0) for pk in ids])
    influence = influence_score(table, churn.values, reaches, links)
    value = value_score(table, churn.values, models[ScoreKind.VALUE].artifact)
    kinds = (
        ScoreKind.CHURN,
        ScoreKind.CREDIT,
        ScoreKind.FRAUD,
        ScoreKind.INFLUENCE,
        ScoreKind.VALUE,
    )
    told = (churn.reasons, credit.reasons, fraud.reasons, influence.reasons, value.reasons)
    return ChunkScores(
        customer_ids=table.customer_ids,
        churn_risk=np.round(np.asarray(churn.values, dtype=float), 4),
        credit_score=np.asarray(credit.values).astype(np.int64),
        credit_rating=list(credit.bands),
        fraud_risk=np.round(np.asarray(fraud.values, dtype=float), 4),
        influence=np.round(np.asarray(influence.values, dtype=float), 4),
        lifetime_value=np.char.mod("%.2f", np.asarray(value.values, dtype=float)),
        network_reach=np.round(reaches, 4),
        reasons=[dict(zip(kinds, said, strict=True)) for said in zip(*told, strict=True)],
    )


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


# The scores a history row and the latest scores both hold, in this order.
FIGURES = (
    "churn_risk",
    "credit_score",
    "credit_rating",
    "fraud_risk",
    "influence",
    "lifetime_value",
)


def scores_write(
    scores: ChunkScores, *, run: ScoringRun | None, models_used: dict[str, int], scored_at
) -> None:
    """A history row per customer (with COPY) and the latest scores (one upsert), written
    column by column as text: the exact figures ``scores`` holds."""
    if not len(scores):
        return
    rows = len(scores)
    figures = {name: _text(getattr(scores, name)) for name in FIGURES}
    customer_ids = _text(scores.customer_ids)
    at = _repeated(str(connection.ops.adapt_datetimefield_value(scored_at)), rows)
    bulk_copy_columns(
        CustomerScore,
        {
            "customer_id": customer_ids,
            "run_id": _repeated(str(run.pk) if run else None, rows),
            "scored_at": at,
            **figures,
            "network_reach": _text(scores.network_reach),
            "reasons": _text([json.dumps(reasons) for reasons in scores.reasons]),
            "models_used": _repeated(json.dumps(models_used), rows),
        },
    )
    bulk_upsert_columns(
        LatestScores,
        {
            "customer_id": customer_ids,
            **figures,
            "value_segment": _text(_segments(scores.lifetime_value_cents(), _current_thresholds())),
            "value_at_risk": _text(np.char.mod("%.2f", scores.value_at_risk_cents() / 100)),
            "scored_at": at,
        },
        unique_column="customer_id",
        # A customer whose scores came out the same is not rewritten: most scores of a nightly
        # run do not move, and every rewrite of this table adds an entry to each of its
        # indexes. ``scored_at`` then tells since when the scores stand.
        changed_only=[*FIGURES, "value_segment", "value_at_risk"],
    )


def _text(values) -> np.ndarray:
    """Values as the object array of text ``crm.bulk`` writes."""
    return np.asarray(values).astype(str).astype(object)


def _repeated(value: str | None, rows: int) -> np.ndarray:
    column = np.empty(rows, dtype=object)
    column[:] = value
    return column


def _segments(lifetime_value_cents: np.ndarray, thresholds: dict) -> np.ndarray:
    """The value segment of each lifetime value, by the thresholds of the last finished run."""
    segments = np.full(len(lifetime_value_cents), LatestScores.ValueSegment.STANDARD.value)
    if thresholds:
        top, high = (round(thresholds[name] * 100) for name in ("top", "high"))
        segments[lifetime_value_cents >= high] = LatestScores.ValueSegment.HIGH.value
        segments[lifetime_value_cents >= top] = LatestScores.ValueSegment.TOP.value
    return segments


def _current_thresholds() -> dict:
    last = (
        ScoringRun.objects.filter(status=ScoringRun.Status.DONE)
        .exclude(value_thresholds={})
        .order_by("-finished_at")
        .values_list("value_thresholds", flat=True)
        .first()
    )
    return last or {}
