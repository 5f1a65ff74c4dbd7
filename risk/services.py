"""Model versions (training, promotion, roll back) and single-customer rescoring.

Scoring a table of customers and writing the scores is in ``scoring``; full runs over the
whole base are a background job kind, in ``runs``.
"""

from datetime import date, datetime, time, timedelta

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from crm.handoff import task_send_after_commit
from crm.jobs.services import job_lease
from customers.models import (
    Customer,
    Invoice,
    LatestScores,
    LifecycleEvent,
)
from customers.services.audit import action_log_record, actor_label

from . import defaults, drift
from .boosting import churn_probability, credit_scored
from .features import NAMES, FeatureTable, features_as_of
from .models import (
    LEARNED_KINDS,
    CustomerScore,
    RescoreRequest,
    RiskModel,
    ScoreKind,
)
from .promotion import holds_its_own as holds_its_own  # the train command reads it here
from .promotion import promotion_decision
from .scoring import applications_as_of, score_table, scores_write
from .selectors import model_roll_back_target
from .training import NotEnoughHistory, churn_fit, credit_fit

CHURN_HORIZON_DAYS = 90
CREDIT_HORIZON_DAYS = 365


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
    reference = {}
    if kind == ScoreKind.CHURN:
        horizon = horizon_days or CHURN_HORIZON_DAYS
        as_of = as_of or timezone.localdate() - timedelta(days=horizon)
        table, y = churn_training_data(as_of, horizon)
        artifact, metrics = churn_fit(
            table.values, y, customer_ids=table.customer_ids, incumbent=incumbent
        )
        reference = _base_reference(kind, artifact, table)
    elif kind == ScoreKind.CREDIT:
        horizon = horizon_days or CREDIT_HORIZON_DAYS
        as_of = as_of or timezone.localdate() - timedelta(days=horizon)
        table, applications, y = _credit_training_table(as_of, horizon)
        artifact, metrics = credit_fit(
            _credit_characteristics(table, applications),
            y,
            customer_ids=table.customer_ids,
            incumbent=incumbent,
        )
        reference = _base_reference(kind, artifact, table)
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
        reference=reference,
    )


def _model_save(
    kind,
    *,
    artifact,
    as_of,
    horizon_days,
    rows,
    metrics,
    actor,
    label,
    replaces=None,
    reference=None,
) -> RiskModel:
    """Store a new version; it becomes active when none is, or when it earns its place over
    ``replaces``, the version active when training began (and still active now: a version an
    analyst promoted in the meantime is not overruled). The decision and why are kept in its
    metrics and in the audit log."""
    now = timezone.now()
    with transaction.atomic():
        _lock_versions(kind)
        newest = RiskModel.objects.filter(kind=kind).aggregate(n=Max("version"))["n"] or 0
        current = RiskModel.objects.filter(kind=kind, is_active=True).first()
        if current is None:
            activate, reason = True, "the first version of its kind"
        elif replaces is None or current.pk != replaces.pk:
            activate, reason = False, f"v{current.version} was made active while it trained"
        else:
            activate, reason = promotion_decision(metrics)
        metrics = {**metrics, "decision": {"promoted": activate, "reason": reason}}
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
            reference=reference or {},
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
                **{
                    k: metrics[k]
                    for k in ("roc_auc", "brier", "compared_with", "decision")
                    if k in metrics
                },
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


def model_train_request(*, kind: str, actor) -> None:
    """Retrain from a page: training reads the whole history, so a worker does it."""
    if kind not in LEARNED_KINDS:
        raise ValidationError(f"Only the {' and '.join(LEARNED_KINDS)} models learn from history.")
    task_send_after_commit("risk.tasks.model_train", kind, actor.pk, timezone.now().isoformat())


def model_train_requested(kind: str, *, actor, requested_at: str = "") -> int | str:
    """Train as asked at ``requested_at``: the new version's id. A version of ``kind`` trained
    since the request answers it already (the request was delivered twice): that one's id."""
    if requested_at:
        since = RiskModel.objects.filter(kind=kind, trained_at__gte=requested_at)
        answered = since.order_by("trained_at").values_list("pk", flat=True).first()
        if answered is not None:
            return answered
    return model_train(kind, actor=actor).pk


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
    table, applications, y = _credit_training_table(as_of, horizon_days)
    return table.customer_ids, _credit_characteristics(table, applications), y


def _credit_training_table(
    as_of: date, horizon_days: int
) -> tuple[FeatureTable, list[dict], np.ndarray]:
    table = _concat([features_as_of(as_of, first_id=a, last_id=b) for a, b in _id_ranges()])
    ids = table.customer_ids.tolist()
    applications = applications_as_of(ids, as_of)
    last_due = as_of + timedelta(days=horizon_days - 60)
    bad = set(
        Invoice.objects.filter(due_on__gt=as_of, due_on__lte=last_due)
        .filter(Q(paid_on__isnull=True) | Q(paid_on__gt=F("due_on") + timedelta(days=60)))
        .values_list("customer_id", flat=True)
    )
    y = np.fromiter((pk in bad for pk in ids), dtype=np.int64)
    return table, applications, y


# Customers whose features and scores make a new version's drift reference: enough for
# stable deciles, few enough to read in seconds on a large base.
REFERENCE_SAMPLE = 30_000  # also under SQLite's limit of variables in one statement


def _base_reference(kind: str, artifact: dict, training: FeatureTable) -> dict:
    """A new version's drift reference: the customers it will score, as they stand on the day
    it is trained (a random sample of the base), and its scores of them as a run rounds them.

    Not the training table: its features are as of the training cutoff, a horizon back, and a
    feature that grows with time (tenure) would show the first run as drift. The training
    table stands in only when no customer holds a product today."""
    today = timezone.localdate()
    ids = Customer.objects.values_list("pk", flat=True)
    sample = np.asarray(ids, dtype=np.int64)
    if len(sample) > REFERENCE_SAMPLE:
        sample = np.sort(np.random.default_rng(len(sample)).choice(sample, REFERENCE_SAMPLE, False))
    base = features_as_of(today, ids=sample.tolist()) if len(sample) else training
    if not len(base):
        base = training
    try:
        if kind == ScoreKind.CHURN:
            scores = np.round(churn_probability(base, artifact, reasons=0).values, 4)
        else:
            declared = applications_as_of(base.customer_ids.tolist(), today)
            scores = np.asarray(credit_scored(base, artifact, declared).values, dtype=float)
    except (KeyError, ValueError, TypeError):
        scores = None  # an artifact this scorer cannot read: its drift is followed on features
    return drift.reference_of(kind, base, scores)


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


def _day_end(day: date):
    return timezone.make_aware(datetime.combine(day, time.max))


# --- Scoring one customer -------------------------------------------------------------------


def models_in_use() -> dict[str, RiskModel]:
    active = {model.kind: model for model in RiskModel.objects.filter(is_active=True)}
    return {kind: active.get(kind) or active_model(kind) for kind in ScoreKind.values}


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
    models = models_in_use()
    scores = score_table(table, as_of, models, {customer.pk: last_reach or 0.0})
    with transaction.atomic():
        scores_write(
            scores,
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
    return customer_id in customers_rescore_request(reasons={customer_id: [reason]})


def customers_rescore_request(*, reasons: dict[int, list[str]]) -> set[int]:
    """Ask for a rescore of each customer, for its ``reasons``; returns the customers whose
    request this opens (the others already wait and will see these events too).

    Set-based, whatever the number of customers: the waiting requests are locked and read in
    one query, the new ones written with one insert, the reasons added with one update. Call
    inside the events' transaction.
    """
    if not reasons:
        return set()
    wanted = {customer_id: list(dict.fromkeys(found)) for customer_id, found in reasons.items()}
    now = timezone.now()
    with transaction.atomic():
        waiting = RescoreRequest.objects.select_for_update().filter(customer_id__in=wanted)
        existing = {request.customer_id: request for request in waiting}
        opened = set(wanted) - set(existing)
        RescoreRequest.objects.bulk_create(
            [
                RescoreRequest(customer_id=pk, requested_at=now, reasons=wanted[pk][-10:])
                for pk in opened
            ],
            ignore_conflicts=True,  # one a concurrent event opened meanwhile is joined below
            batch_size=2000,
        )
        if opened:
            joined = RescoreRequest.objects.select_for_update().filter(customer_id__in=opened)
            for request in joined.exclude(requested_at=now):
                opened.discard(request.customer_id)
                existing[request.customer_id] = request
        changed = []
        for customer_id, request in existing.items():
            added = [r for r in wanted[customer_id] if r not in request.reasons]
            if added:
                request.reasons = [*request.reasons, *added][-10:]
                changed.append(request)
        RescoreRequest.objects.bulk_update(changed, ["reasons"], batch_size=2000)
    return opened


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
    overdue = timezone.now() - timedelta(seconds=settings.RISK_RESCORE_DELAY_SECONDS) - job_lease()
    return list(
        RescoreRequest.objects.filter(requested_at__lt=overdue)
        .order_by("requested_at")
        .values_list("customer_id", flat=True)[:10_000]
    )
