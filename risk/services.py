"""Training, scoring runs and single-customer rescoring.

A full run is planned as id-range chunks (``scoring_run_start``); any number of workers take
chunks (``scoring_chunk_run``); the last chunk to finish settles the value segments across the
whole base. A chunk's scores, its history rows and its "done" mark are written in one
transaction that first locks the chunk, so a chunk delivered twice, or taken over from a killed
worker, is written exactly once.
"""

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from crm.bulk import bulk_copy, bulk_upsert
from customers.models import (
    Customer,
    CustomerRelationship,
    IdentityKey,
    Invoice,
    LatestScores,
    LifecycleEvent,
)
from customers.services.audit import action_log_record, actor_label
from customers.services.identity import BLOCK_CAP

from . import defaults
from .features import NAMES, FeatureTable, features_as_of
from .models import (
    LEARNED_KINDS,
    CreditApplication,
    CustomerScore,
    RescoreRequest,
    RiskModel,
    ScoreKind,
    ScoringChunk,
    ScoringRun,
)
from .scorers import churn_score, credit_score, fraud_score, influence_score, value_score
from .selectors import model_roll_back_target
from .training import NotEnoughHistory, churn_fit, credit_fit

CHURN_HORIZON_DAYS = 90
CREDIT_HORIZON_DAYS = 365
TOP_SHARE, HIGH_SHARE = 0.05, 0.20


# --- Models ---------------------------------------------------------------------------------


def active_model(kind: str) -> RiskModel:
    """The model version in use for ``kind``; a new install gets a default one on first use."""
    model = RiskModel.objects.filter(kind=kind, is_active=True).first()
    if model is not None:
        return model
    try:
        model = model_train(kind, trained_by_label="default on first use")
    except NotEnoughHistory:
        model = _model_save(
            kind,
            artifact=defaults.ARTIFACTS[kind],
            as_of=timezone.localdate(),
            horizon_days=0,
            rows=0,
            metrics={"source": "expert weights: too little history to train on"},
            actor=None,
            label="default on first use",
        )
    except IntegrityError:
        # Another worker created it at the same moment.
        return RiskModel.objects.get(kind=kind, is_active=True)
    if not model.is_active:  # another worker's first version became active meanwhile
        return RiskModel.objects.get(kind=kind, is_active=True)
    return model


def model_train(
    kind: str,
    *,
    as_of: date | None = None,
    horizon_days: int | None = None,
    actor=None,
    trained_by_label: str = "",
) -> RiskModel:
    """Train a new version of ``kind`` on the CRM's own history.

    Features are taken as of ``as_of`` (by default, ``horizon_days`` ago) and the outcome from
    the ``horizon_days`` after it. A learned model (churn, credit) replaces the active version
    only when it ranks the held-out customers at least as well as the active version does on
    the same customers; otherwise it is kept as a candidate, both figures in its metrics, for
    an analyst to promote or leave. The first version of a kind is always made active. Kinds
    without a learned part (fraud, influence, value) get a new version of their parameters.
    """
    active = RiskModel.objects.filter(kind=kind, is_active=True).first()
    incumbent = active.artifact if active else None
    if kind == ScoreKind.CHURN:
        horizon = horizon_days or CHURN_HORIZON_DAYS
        as_of = as_of or timezone.localdate() - timedelta(days=horizon)
        table, y = churn_training_data(as_of, horizon)
        artifact, metrics = churn_fit(
            table.values, y, customer_ids=table.customer_ids, incumbent=incumbent
        )
    elif kind == ScoreKind.CREDIT:
        horizon = horizon_days or CREDIT_HORIZON_DAYS
        as_of = as_of or timezone.localdate() - timedelta(days=horizon)
        customer_ids, characteristics, y = credit_training_data(as_of, horizon)
        artifact, metrics = credit_fit(
            characteristics, y, customer_ids=customer_ids, incumbent=incumbent
        )
    elif kind in ScoreKind.values:
        horizon, as_of = 0, as_of or timezone.localdate()
        artifact, metrics, y = defaults.ARTIFACTS[kind], {"source": "parameters"}, []
    else:
        raise ValidationError(
            f"Unknown model kind {kind!r}: choose one of {', '.join(ScoreKind.values)}."
        )
    if "compared_with" in metrics:
        metrics["compared_with"] = {"version": active.version, **metrics["compared_with"]}
    return _model_save(
        kind,
        artifact=artifact,
        as_of=as_of,
        horizon_days=horizon,
        rows=len(y),
        metrics=metrics,
        actor=actor,
        label=trained_by_label or (actor_label(actor) if actor else "system"),
        replaces=active,
    )


def holds_its_own(metrics: dict) -> bool:
    """Whether a new version ranks its held-out customers at least as well as the version in
    use did on the same customers; True when there was nothing to compare with (no version
    in use, parameters without a measure) or the version in use could not read them."""
    compared = metrics.get("compared_with") or {}
    if "roc_auc" not in compared or "roc_auc" not in metrics:
        return True
    return metrics["roc_auc"] >= compared["roc_auc"]


def _model_save(
    kind, *, artifact, as_of, horizon_days, rows, metrics, actor, label, replaces=None
) -> RiskModel:
    """Store a new version; it becomes active when none is, or when it holds its own against
    ``replaces``, the version active when training began (and still active now: a version an
    analyst promoted in the meantime is not overruled)."""
    now = timezone.now()
    with transaction.atomic():
        _lock_versions(kind)
        newest = RiskModel.objects.filter(kind=kind).aggregate(n=Max("version"))["n"] or 0
        current = RiskModel.objects.filter(kind=kind, is_active=True).first()
        activate = current is None or (
            replaces is not None and current.pk == replaces.pk and holds_its_own(metrics)
        )
        if activate:
            RiskModel.objects.filter(kind=kind, is_active=True).update(is_active=False)
        model = RiskModel.objects.create(
            kind=kind,
            version=newest + 1,
            artifact=artifact,
            as_of=as_of,
            horizon_days=horizon_days,
            training_rows=rows,
            metrics=metrics,
            trained_at=now,
            trained_by=actor if getattr(actor, "pk", None) else None,
            trained_by_label=label[:150],
            is_active=activate,
            activated_at=now if activate else None,
        )
        action_log_record(
            action="risk_model.trained",
            customer=None,
            actor=actor or label,
            data={
                "kind": kind,
                "version": model.version,
                "activated": activate,
                "replaced_version": current.version if activate and current else None,
                **{k: metrics[k] for k in ("roc_auc", "compared_with") if k in metrics},
            },
        )
    return model


def model_promote(*, model: RiskModel, actor) -> RiskModel:
    """Make ``model`` the active version of its kind (a candidate an analyst trusts, or an
    earlier version to go back to); the next scoring uses it."""
    with transaction.atomic():
        _lock_versions(model.kind)
        target = RiskModel.objects.filter(pk=model.pk).first()
        if target is None:
            raise ValidationError("That model version no longer exists.")
        if target.is_active:
            raise ValidationError(f"{target} is already the active version.")
        previous = _activate(target)
        action_log_record(
            action="risk_model.promoted",
            customer=None,
            actor=actor,
            data={
                "kind": target.kind,
                "version": target.version,
                "replaced_version": previous.version if previous else None,
            },
        )
    return target


def model_roll_back(*, kind: str, actor) -> RiskModel:
    """Return ``kind`` to the version that was active before the current one, and return it.

    That is the version activated most recently before the current one was: rolling back
    twice returns to where it started, and any other version is reached with a promote."""
    if kind not in ScoreKind.values:
        raise ValidationError(f"Unknown model kind {kind!r}.")
    label = ScoreKind(kind).label.lower()
    with transaction.atomic():
        _lock_versions(kind)
        current = RiskModel.objects.filter(kind=kind, is_active=True).first()
        if current is None:
            raise ValidationError(f"There is no active {label} model to roll back.")
        target = model_roll_back_target(current)
        if target is None:
            raise ValidationError(
                f"No {label} version was active before v{current.version}: "
                "promote the version you want instead."
            )
        _activate(target)
        action_log_record(
            action="risk_model.rolled_back",
            customer=None,
            actor=actor,
            data={"kind": kind, "version": target.version, "rolled_back_version": current.version},
        )
    return target


def _lock_versions(kind: str) -> None:
    """Inside a transaction: wait for any other training, promote or roll back of ``kind`` to
    finish. Each takes this lock (on the newest version's row) first and reads afresh after
    it, so two of them queue and the second sees what the first did."""
    RiskModel.objects.select_for_update().filter(kind=kind).order_by("-version").values_list(
        "pk", flat=True
    ).first()


def _activate(model: RiskModel) -> RiskModel | None:
    """Inside a transaction, under ``_lock_versions``: make ``model`` the one active version of
    its kind; returns the version it replaces. The old one goes first: the database holds one
    active version per kind."""
    previous = RiskModel.objects.filter(kind=model.kind, is_active=True).first()
    if previous is not None:
        RiskModel.objects.filter(pk=previous.pk).update(is_active=False)
    model.is_active, model.activated_at = True, timezone.now()
    model.save(update_fields=["is_active", "activated_at"])
    return previous


def _id_ranges(step: int = 50_000):
    bounds = Customer.objects.aggregate(first=Min("pk"), last=Max("pk"))
    first, last = bounds["first"] or 0, bounds["last"] or 0
    for start in range(first, last + 1, step) if last else ():
        yield start, min(start + step - 1, last)


def _concat(tables: list[FeatureTable]) -> FeatureTable:
    if not tables:
        return FeatureTable(np.zeros(0, dtype=np.int64), np.zeros((0, len(NAMES))))
    return FeatureTable(
        np.concatenate([t.customer_ids for t in tables]),
        np.vstack([t.values for t in tables]),
        tuple(t.currency(i) for t in tables for i in range(len(t))),
    )


def churn_training_data(as_of: date, horizon_days: int) -> tuple[FeatureTable, np.ndarray]:
    """Customers established on ``as_of``, and whether they left in the days after it."""
    table = _concat([features_as_of(as_of, first_id=a, last_id=b) for a, b in _id_ranges()])
    start = _day_end(as_of)
    left = set(
        LifecycleEvent.objects.filter(
            to_status=Customer.Status.TERMINATED,
            occurred_at__gt=start,
            occurred_at__lte=start + timedelta(days=horizon_days),
        ).values_list("customer_id", flat=True)
    )
    y = np.fromiter((pk in left for pk in table.customer_ids.tolist()), dtype=np.int64)
    return table, y


def credit_training_data(
    as_of: date, horizon_days: int
) -> tuple[np.ndarray, dict[str, list], np.ndarray]:
    """The customers, their payment behaviour and declared application facts on ``as_of``, and
    whether each then defaulted: an invoice falling due in the window and still unpaid 60
    days later."""
    table = _concat([features_as_of(as_of, first_id=a, last_id=b) for a, b in _id_ranges()])
    ids = table.customer_ids.tolist()
    applications = applications_as_of(ids, as_of)
    last_due = as_of + timedelta(days=horizon_days - 60)
    bad = set(
        Invoice.objects.filter(due_on__gt=as_of, due_on__lte=last_due)
        .filter(Q(paid_on__isnull=True) | Q(paid_on__gt=F("due_on") + timedelta(days=60)))
        .values_list("customer_id", flat=True)
    )
    characteristics = _credit_characteristics(table, applications)
    y = np.fromiter((pk in bad for pk in ids), dtype=np.int64)
    return table.customer_ids, characteristics, y


CREDIT_BEHAVIOUR = (
    "tenure_months",
    "late_invoices_12m",
    "unpaid_60d",
    "unpaid_balance",
    "monthly_charges",
    "age",
    "pays_direct_debit",
)


def _credit_characteristics(table: FeatureTable, applications: list[dict]) -> dict[str, list]:
    # Unknown and not applying (a person's age for an organisation) are None, as the scorer
    # reads them: the card learns a "not known" bin for them, not that they are age 0.
    characteristics: dict[str, list] = {name: table.known_values(name) for name in CREDIT_BEHAVIOUR}
    declared = sorted({key for application in applications for key in application})
    for key in declared:
        characteristics[key] = [application.get(key) for application in applications]
    return characteristics


def applications_as_of(customer_ids: list[int], as_of: date) -> list[dict]:
    """The latest credit application of each customer made by ``as_of`` ({} when none)."""
    latest: dict[int, tuple[date, dict]] = {}
    for customer_id, applied_on, characteristics in CreditApplication.objects.filter(
        customer_id__in=customer_ids, applied_on__lte=as_of
    ).values_list("customer_id", "applied_on", "characteristics"):
        if customer_id not in latest or latest[customer_id][0] < applied_on:
            latest[customer_id] = (applied_on, characteristics)
    return [latest.get(pk, (None, {}))[1] for pk in customer_ids]


def _day_end(day: date):
    return timezone.make_aware(datetime.combine(day, time.max))


# --- Scoring --------------------------------------------------------------------------------


def _models_in_use() -> dict[str, RiskModel]:
    active = {model.kind: model for model in RiskModel.objects.filter(is_active=True)}
    return {kind: active.get(kind) or active_model(kind) for kind in ScoreKind.values}


def score_table(
    table: FeatureTable, as_of: date, models: dict[str, RiskModel], reach: dict[int, float]
) -> list[dict]:
    """Every score of every row of ``table``, with reasons; nothing is written."""
    if not len(table):
        return []
    ids = table.customer_ids.tolist()
    churn = churn_score(table, models[ScoreKind.CHURN].artifact)
    applications = applications_as_of(ids, as_of)
    credit = credit_score(table, models[ScoreKind.CREDIT].artifact, applications)
    fraud = fraud_score(table, fraud_signals(ids, as_of, table), models[ScoreKind.FRAUD].artifact)
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


def fraud_signals(
    customer_ids: list[int], as_of: date, table: FeatureTable
) -> dict[str, np.ndarray]:
    """Per customer: how many unrelated customers share an e-mail or phone, and an address."""
    position = {pk: i for i, pk in enumerate(customer_ids)}
    shared_contact = np.zeros(len(customer_ids))
    shared_address = np.zeros(len(customer_ids))
    keys, customers, links = (
        IdentityKey._meta.db_table,
        Customer._meta.db_table,
        CustomerRelationship._meta.db_table,
    )
    # Parties sharing a key, less those linked to the customer (a household shares a landline
    # and an address by right). Keys held by more parties than the identity scan's cap (a
    # shop's address) are left out: they say nothing about one customer. Each distinct key of
    # the chunk is sized once, before the join.
    sql = f"""
        WITH mine AS (
            SELECT c.id, c.party_id, a.kind, a.value
            FROM {customers} c
            JOIN {keys} a ON a.party_id = c.party_id AND a.kind IN ('email', 'phone', 'address')
            WHERE c.id BETWEEN %s AND %s
        ),
        selective AS (
            SELECT k.kind, k.value
            FROM (SELECT DISTINCT kind, value FROM mine) AS k
            WHERE (SELECT COUNT(*) FROM (
                    SELECT 1 FROM {keys} s WHERE s.kind = k.kind AND s.value = k.value LIMIT %s
                  ) AS block) <= %s
        )
        SELECT m.id, CASE WHEN m.kind = 'address' THEN 'address' ELSE 'contact' END,
               COUNT(DISTINCT b.party_id)
        FROM mine m
        JOIN selective USING (kind, value)
        JOIN {keys} b ON b.kind = m.kind AND b.value = m.value AND b.party_id <> m.party_id
        JOIN {customers} other ON other.party_id = b.party_id
        WHERE NOT EXISTS (
                SELECT 1 FROM {links} r
                WHERE (r.from_customer_id = m.id AND r.to_customer_id = other.id)
                   OR (r.from_customer_id = other.id AND r.to_customer_id = m.id))
        GROUP BY m.id, CASE WHEN m.kind = 'address' THEN 'address' ELSE 'contact' END
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner overestimates this join by ten times and would compile it (JIT),
            # which costs more than the query itself.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [min(customer_ids), max(customer_ids), BLOCK_CAP + 1, BLOCK_CAP])
        for customer_id, kind, count in cursor.fetchall():
            if customer_id in position:
                target = shared_address if kind == "address" else shared_contact
                target[position[customer_id]] = count
    return {
        "shared_contact": shared_contact,
        "shared_address": shared_address,
        "recent_subscriptions": table.column("subscriptions_30d"),
    }


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


def _reach_for_run(run_id: int) -> dict[int, float]:
    """Computed once per run in each worker process: every chunk reads the same graph."""
    if run_id not in _reach_cache:
        _reach_cache.clear()
        _reach_cache[run_id] = network_reach()
    return _reach_cache[run_id]


# --- Runs -----------------------------------------------------------------------------------


def chunk_lease() -> timedelta:
    """A chunk claimed longer ago than this by a worker that never finished it is free again."""
    return timedelta(seconds=settings.RISK_CHUNK_LEASE_SECONDS)


_RUN_IN_PROGRESS = "A scoring run is already in progress; wait for it to finish."


def scoring_run_start(
    *,
    actor=None,
    as_of: date | None = None,
    chunk_size: int = 20_000,
    newest_seen_run_id: int | None = None,
) -> ScoringRun:
    """Plan a run over every customer as id-range chunks; one run at a time.

    Quick enough for a web request: the models are chosen (and on a new install trained) by
    ``scoring_run_prepare``, which the run's first task calls.

    ``newest_seen_run_id`` is the newest run the requester knew of (a page shows it): a run
    started since then means this request repeats one already answered (a second click, a
    resubmitted page), and it is refused even when that run has already finished, as it has
    when tasks run in-process (the embedded default) and a small base scores within the first
    request.
    """
    if chunk_size < 1:
        raise ValidationError("The chunk size must be at least 1.")
    bounds = Customer.objects.aggregate(first=Min("pk"), last=Max("pk"))
    first, last = bounds["first"] or 0, bounds["last"] or 0
    now = timezone.now()
    try:
        with transaction.atomic():
            if newest_seen_run_id is not None:
                _refuse_if_started_since(newest_seen_run_id)
            if ScoringRun.objects.filter(status__in=["queued", "running"]).exists():
                raise ValidationError(_RUN_IN_PROGRESS, code="in_progress")
            run = ScoringRun.objects.create(
                as_of=as_of or timezone.localdate(),
                requested_by=actor if getattr(actor, "pk", None) else None,
                requested_label=actor_label(actor) if actor else "schedule",
                requested_at=now,
            )
            chunks = [
                ScoringChunk(
                    run=run,
                    first_customer_id=start,
                    last_customer_id=min(start + chunk_size - 1, last),
                )
                for start in range(first, last + 1, chunk_size)
                if last
            ]
            ScoringChunk.objects.bulk_create(chunks, batch_size=1000)
            run.chunks_total = len(chunks)
            if not chunks:
                run.status = ScoringRun.Status.DONE
                run.started_at = run.finished_at = now
            run.save()
    except IntegrityError:
        raise ValidationError(_RUN_IN_PROGRESS, code="in_progress") from None
    return run


def _refuse_if_started_since(newest_seen_run_id: int) -> None:
    since = ScoringRun.objects.filter(pk__gt=newest_seen_run_id).order_by("-pk").first()
    if since is not None:
        at = timezone.localtime(since.requested_at)
        raise ValidationError(
            f"Scoring run {since.pk} was started at {at:%H:%M:%S} by "
            f"{since.requested_label or 'the schedule'}, after this page was shown "
            f"(status: {since.get_status_display().lower()}). No second run was started.",
            code="started_since",
        )


def scoring_run_request(*, actor, newest_seen_run_id: int | None = None) -> ScoringRun:
    """ "Run now" from a page: the run is planned at once and launched by a worker once the
    request's transaction commits (with tasks in-process, the whole run happens then)."""
    from .tasks import scoring_run_launch  # the tasks module imports this one

    run = scoring_run_start(actor=actor, newest_seen_run_id=newest_seen_run_id)
    transaction.on_commit(lambda: scoring_run_launch.delay(run.pk))
    return run


def model_train_request(*, kind: str, actor) -> None:
    """Retrain from a page: training reads the whole history, so a worker does it."""
    from .tasks import model_train

    if kind not in LEARNED_KINDS:
        raise ValidationError(f"Only the {' and '.join(LEARNED_KINDS)} models learn from history.")
    transaction.on_commit(lambda: model_train.delay(kind, actor.pk))


def scoring_run_prepare(*, run_id: int) -> dict[str, int]:
    """Fix the model versions the whole run scores with (the same for every chunk)."""
    models_used = ScoringRun.objects.values_list("models_used", flat=True).get(pk=run_id)
    if models_used:
        return models_used
    chosen = {kind: model.pk for kind, model in _models_in_use().items()}
    with transaction.atomic():
        run = ScoringRun.objects.select_for_update().get(pk=run_id)
        if not run.models_used:  # a second delivery keeps the first choice
            run.models_used = chosen
            run.save(update_fields=["models_used"])
    return run.models_used


def scoring_runs_stalled_chunks() -> list[int]:
    """Chunks of runs in progress that no live worker holds: never taken since the run was
    queued a lease ago (their message was lost), or claimed by a worker that died."""
    stale = timezone.now() - chunk_lease()
    return list(
        ScoringChunk.objects.filter(
            run__status__in=[ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING],
            done_at__isnull=True,
        )
        .filter(Q(claimed_at__lt=stale) | Q(claimed_at__isnull=True, run__requested_at__lt=stale))
        .order_by("run_id", "first_customer_id")
        .values_list("pk", flat=True)
    )


def scoring_pending_chunks(*, run_id: int) -> list[int]:
    """Chunks of the run not done and not held by a live worker."""
    stale = timezone.now() - chunk_lease()
    return list(
        ScoringChunk.objects.filter(run_id=run_id, done_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("first_customer_id")
        .values_list("pk", flat=True)
    )


@contextmanager
def _bulk_read_settings():
    """For the grouped reads of one chunk (inside its transaction, on PostgreSQL): no JIT,
    whose compiling costs more than these queries take, and memory enough to hash a chunk's
    joins without spilling to disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
    yield


def scoring_chunk_run(*, chunk_id: int) -> int:
    """Score one chunk; returns the customers scored (0 when another worker has it or had it)."""
    now = timezone.now()
    claimed = (
        ScoringChunk.objects.filter(pk=chunk_id, done_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - chunk_lease()))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return 0
    chunk = ScoringChunk.objects.select_related("run").get(pk=chunk_id)
    run = chunk.run
    ScoringRun.objects.filter(pk=run.pk, status=ScoringRun.Status.QUEUED).update(
        status=ScoringRun.Status.RUNNING, started_at=now
    )
    models_used = scoring_run_prepare(run_id=run.pk)
    models = {model.kind: model for model in RiskModel.objects.filter(pk__in=models_used.values())}
    read_started = timezone.now()
    with transaction.atomic(), _bulk_read_settings():
        table = features_as_of(
            run.as_of, first_id=chunk.first_customer_id, last_id=chunk.last_customer_id
        )
        rows = score_table(table, run.as_of, models, _reach_for_run(run.pk))
    with transaction.atomic():
        # The lock makes a second delivery of this chunk wait, then find it done.
        locked = (
            ScoringChunk.objects.select_for_update()
            .filter(pk=chunk.pk, done_at__isnull=True)
            .first()
        )
        if locked is None:
            return 0
        scored_at = timezone.now()
        _write_scores(rows, run=run, models_used=models_used, scored_at=scored_at)
        # Customers of the range who no longer hold a product have no current scores (those
        # rescored after an event since this chunk began reading keep theirs).
        LatestScores.objects.filter(
            customer_id__gte=chunk.first_customer_id,
            customer_id__lte=chunk.last_customer_id,
            scored_at__lt=read_started,
        ).delete()
        ScoringChunk.objects.filter(pk=chunk.pk).update(
            done_at=timezone.now(), customers_scored=len(rows), error=""
        )
        ScoringRun.objects.filter(pk=run.pk).update(
            chunks_done=F("chunks_done") + 1, customers_scored=F("customers_scored") + len(rows)
        )
    _finish_if_complete(run.pk)
    return len(rows)


def scoring_chunk_failed(*, chunk_id: int, error: str, final: bool) -> None:
    """Record a chunk's failure; on the last attempt it counts as failed for the run."""
    ScoringChunk.objects.filter(pk=chunk_id).update(error=error[:2000], claimed_at=None)
    if final:
        chunk = ScoringChunk.objects.get(pk=chunk_id)
        with transaction.atomic():
            marked = ScoringChunk.objects.filter(pk=chunk_id, done_at__isnull=True).update(
                done_at=timezone.now()
            )
            if marked:
                ScoringRun.objects.filter(pk=chunk.run_id).update(
                    chunks_done=F("chunks_done") + 1, chunks_failed=F("chunks_failed") + 1
                )
        _finish_if_complete(chunk.run_id)


def _finish_if_complete(run_id: int) -> None:
    with transaction.atomic():
        run = (
            ScoringRun.objects.select_for_update()
            .filter(
                pk=run_id,
                status__in=[ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING],
                chunks_done__gte=F("chunks_total"),
            )
            .first()
        )
        if run is None:
            return
        run.value_thresholds = _settle_value_segments()
        run.status = ScoringRun.Status.FAILED if run.chunks_failed else ScoringRun.Status.DONE
        if run.chunks_failed:
            run.error = f"{run.chunks_failed} of {run.chunks_total} chunks failed after retries."
        run.finished_at = timezone.now()
        run.customers_total = run.customers_scored
        run.save()


def scoring_run_fail(*, run: ScoringRun, error: str) -> None:
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def _settle_value_segments() -> dict[str, float]:
    """Top 5 % and next 15 % by lifetime value across the whole base, in one statement."""
    count = LatestScores.objects.count()
    if not count:
        return {}
    ordered = LatestScores.objects.order_by("-lifetime_value").values_list(
        "lifetime_value", flat=True
    )
    top = ordered[max(int(count * TOP_SHARE) - 1, 0)]
    high = ordered[max(int(count * HIGH_SHARE) - 1, 0)]
    LatestScores.objects.filter(lifetime_value__gte=top).exclude(value_segment="top").update(
        value_segment="top"
    )
    LatestScores.objects.filter(lifetime_value__lt=top, lifetime_value__gte=high).exclude(
        value_segment="high"
    ).update(value_segment="high")
    LatestScores.objects.filter(lifetime_value__lt=high).exclude(value_segment="standard").update(
        value_segment="standard"
    )
    return {"top": float(top), "high": float(high)}


def _segment(value: Decimal, thresholds: dict) -> str:
    if thresholds and value >= Decimal(str(thresholds["top"])):
        return LatestScores.ValueSegment.TOP
    if thresholds and value >= Decimal(str(thresholds["high"])):
        return LatestScores.ValueSegment.HIGH
    return LatestScores.ValueSegment.STANDARD


LATEST_FIELDS = (
    "churn_risk",
    "credit_score",
    "credit_rating",
    "fraud_risk",
    "influence",
    "lifetime_value",
    "value_segment",
    "value_at_risk",
    "scored_at",
)


def _write_scores(
    rows: list[dict], *, run: ScoringRun | None, models_used: dict[str, int], scored_at
) -> None:
    if not rows:
        return
    thresholds = _current_thresholds()
    history = [
        (
            row["customer_id"],
            run.pk if run else None,
            scored_at,
            row["churn_risk"],
            row["credit_score"],
            row["credit_rating"],
            row["fraud_risk"],
            row["influence"],
            row["lifetime_value"],
            row["network_reach"],
            _json(row["reasons"]),
            _json(models_used),
        )
        for row in rows
    ]
    bulk_copy(
        CustomerScore,
        (
            "customer_id",
            "run_id",
            "scored_at",
            "churn_risk",
            "credit_score",
            "credit_rating",
            "fraud_risk",
            "influence",
            "lifetime_value",
            "network_reach",
            "reasons",
            "models_used",
        ),
        history,
    )
    latest = [
        LatestScores(
            customer_id=row["customer_id"],
            churn_risk=row["churn_risk"],
            credit_score=row["credit_score"],
            credit_rating=row["credit_rating"],
            fraud_risk=row["fraud_risk"],
            influence=row["influence"],
            lifetime_value=row["lifetime_value"],
            value_segment=_segment(row["lifetime_value"], thresholds),
            value_at_risk=(row["lifetime_value"] * Decimal(str(row["churn_risk"]))).quantize(
                Decimal("0.01")
            ),
            scored_at=scored_at,
        )
        for row in rows
    ]
    _upsert_latest(latest)


def _json(value):
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


# Below this many rows an INSERT … ON CONFLICT from the ORM beats a staging table.
def _upsert_latest(latest: list[LatestScores]) -> None:
    fields = ["customer", *LATEST_FIELDS]
    bulk_upsert(
        LatestScores,
        fields,
        ([s.customer_id, *(getattr(s, name) for name in LATEST_FIELDS)] for s in latest),
        unique_field="customer",
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


def customer_rescore(*, customer: Customer, as_of: date | None = None) -> CustomerScore | None:
    """Score one customer now, with the active models; None when it holds no product."""
    as_of = as_of or timezone.localdate()
    table = features_as_of(as_of, ids=[customer.pk])
    if not len(table):
        LatestScores.objects.filter(customer=customer).delete()
        return None
    last_reach = (
        CustomerScore.objects.filter(customer=customer)
        .order_by("-scored_at")
        .values_list("network_reach", flat=True)
        .first()
    )
    models = _models_in_use()
    rows = score_table(table, as_of, models, {customer.pk: last_reach or 0.0})
    with transaction.atomic():
        _write_scores(
            rows,
            run=None,
            models_used={kind: model.pk for kind, model in models.items()},
            scored_at=timezone.now(),
        )
    return CustomerScore.objects.filter(customer=customer).order_by("-scored_at", "-id").first()


# --- Rescoring after events -----------------------------------------------------------------

# Lifecycle moves that change what a customer is worth or risks.
_RESCORING_TRANSITIONS = {
    "customer.establish",
    "customer.suspend",
    "customer.resume",
    "customer.terminate",
    "customer.reestablish",
}


# Products held are what value is made of, and a burst of new ones is a fraud signal.
_PRODUCT_CHANGES = {"subscription.added", "subscription.changed", "subscription.ended"}


def rescore_reason(action: str, data: dict) -> str:
    """Why this event calls for a rescore, or "" when it does not."""
    if action == "payment.recorded":
        return "payment recorded"
    if action == "payment.missed":
        return "payment missed"
    if action in _PRODUCT_CHANGES:
        return f"product {action.removeprefix('subscription.')}"
    if action == "interaction.recorded" and data.get("kind") == "complaint":
        return "complaint recorded"
    if action == "survey.answered":
        return "survey answered"
    if action in _RESCORING_TRANSITIONS:
        return f"lifecycle: {action.removeprefix('customer.')}"
    return ""


def customer_rescore_request(*, customer_id: int, reason: str) -> bool:
    """Ask for a rescore of one customer; True when this opens a new request, False when one
    is already waiting (it will see this event too). Call inside the event's transaction."""
    now = timezone.now()
    with transaction.atomic():
        request, created = RescoreRequest.objects.select_for_update().get_or_create(
            customer_id=customer_id, defaults={"requested_at": now, "reasons": [reason]}
        )
        if not created and reason not in request.reasons:
            request.reasons = [*request.reasons, reason][-10:]
            request.save(update_fields=["reasons"])
    return created


def customer_rescore_requested(*, customer_id: int) -> CustomerScore | None:
    """Carry out a waiting rescore request; None when there is none (a second delivery) or the
    customer holds no product. The request goes in the transaction that writes the scores.

    The customer row is locked first, as every change to a customer does before it asks for a
    rescore: both take their locks in the same order, so they wait for each other, never
    deadlock."""
    with transaction.atomic():
        customer = Customer.objects.select_for_update().filter(pk=customer_id).first()
        request = RescoreRequest.objects.select_for_update().filter(customer_id=customer_id)
        request = request.first() if customer is not None else None
        if request is None:
            return None
        score = customer_rescore(customer=customer)
        request.delete()
    return score


def rescore_requests_stalled() -> list[int]:
    """Customers whose rescore should have run by now: their task was lost with a broker
    outage or a killed worker."""
    overdue = (
        timezone.now() - timedelta(seconds=settings.RISK_RESCORE_DELAY_SECONDS) - chunk_lease()
    )
    return list(
        RescoreRequest.objects.filter(requested_at__lt=overdue)
        .order_by("requested_at")
        .values_list("customer_id", flat=True)[:10_000]
    )
