"""Scoring runs over the whole base: the "scoring" job kind (see ``crm.jobs``).

A run is planned as chunks of customer ids; any number of workers take chunks; the last chunk to
end settles the value segments across the whole base. A chunk's scores, its history rows and its
"done" mark are written in one transaction that first locks the chunk, so a chunk delivered
twice, or taken over from a killed worker, is written exactly once.
"""

from contextlib import contextmanager
from datetime import date

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from crm.jobs import services as jobs
from crm.jobs.kinds import job_kind
from customers.models import Customer, LatestScores
from customers.services.audit import actor_label

from . import drift
from .features import features_as_of
from .fraud_signals import shared_keys_count
from .models import RiskModel, ScoringChunk, ScoringRun
from .scoring import reach_for_run, score_table, scores_write
from .services import models_in_use

KIND = "scoring"
TOP_SHARE, HIGH_SHARE = 0.05, 0.20


def scoring_run_start(
    *,
    actor=None,
    as_of: date | None = None,
    chunk_size: int = 20_000,
    newest_seen_run_id: int | None = None,
) -> ScoringRun:
    """Plan a run over every customer as id-range chunks; one run at a time.

    Quick enough for a web request: the models are chosen (and on a new install trained) by
    ``scoring_run_prepare``, which a worker calls before the chunks are queued.

    ``newest_seen_run_id`` is the newest run the requester knew of (a page shows it): a run
    started since then means this request repeats one already answered (a second click, a
    resubmitted page), and it is refused even when that run has already finished, as it has
    when tasks run in-process (the embedded default) and a small base scores within the first
    request.
    """
    bounds = Customer.objects.aggregate(first=Min("pk"), last=Max("pk"))
    ranges = jobs.id_ranges(bounds["first"] or 0, bounds["last"] or 0, chunk_size)
    return jobs.job_plan(
        job_kind(KIND),
        ranges=ranges,
        refuse=None
        if newest_seen_run_id is None
        else lambda: _refuse_if_started_since(newest_seen_run_id),
        as_of=as_of or timezone.localdate(),
        requested_by=actor if getattr(actor, "pk", None) else None,
        requested_label=actor_label(actor) if actor else "schedule",
    )


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


def scoring_run_request(
    *, actor=None, as_of: date | None = None, newest_seen_run_id: int | None = None
) -> ScoringRun:
    """ "Run now" from a page, or the nightly run: planned at once, carried out by workers once
    the transaction commits (with tasks in-process, the whole run happens then)."""
    run = scoring_run_start(actor=actor, as_of=as_of, newest_seen_run_id=newest_seen_run_id)
    jobs.job_request(job_kind(KIND), run)
    return run


def scoring_run_prepare(run: ScoringRun) -> None:
    """In the worker that queues the chunks: fix the model versions the whole run scores with,
    and count the shared identity keys of the whole base for the fraud score."""
    _models_fixed(run)
    shared_keys_count(run)


def _models_fixed(run: ScoringRun) -> dict[str, int]:
    """The model versions of the run, the same for every chunk: chosen by the first call."""
    models_used = ScoringRun.objects.values_list("models_used", flat=True).get(pk=run.pk)
    if models_used:
        return models_used
    chosen = {kind: model.pk for kind, model in models_in_use().items()}
    with transaction.atomic():
        locked = ScoringRun.objects.select_for_update().get(pk=run.pk)
        if not locked.models_used:  # a second delivery keeps the first choice
            locked.models_used = chosen
            locked.save(update_fields=["models_used"])
    return locked.models_used


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


def scoring_chunk_work(run: ScoringRun, chunk: ScoringChunk) -> dict[str, int]:
    """Score the customers of one chunk, inside the transaction that marks it done."""
    models_used = _models_fixed(run)
    models = {model.kind: model for model in RiskModel.objects.filter(pk__in=models_used.values())}
    read_started = timezone.now()
    with transaction.atomic(), _bulk_read_settings():
        table = features_as_of(run.as_of, first_id=chunk.first_id, last_id=chunk.last_id)
        scores = score_table(table, run.as_of, models, reach_for_run(run.pk), run=run)
    scores_write(scores, run=run, models_used=models_used, scored_at=timezone.now())
    # In the transaction that marks the chunk done, replacing what a lost try stored.
    ScoringChunk.objects.filter(pk=chunk.pk).update(
        drift_counts=drift.chunk_counts(table, scores, models.values())
    )
    # Customers of the range who no longer hold a product have no current scores (those
    # rescored after an event since this chunk began reading keep theirs). Told apart by id, not
    # time: a customer whose scores did not change keeps its earlier scored_at.
    in_range = LatestScores.objects.filter(
        customer_id__gte=chunk.first_id, customer_id__lte=chunk.last_id
    )
    held = np.fromiter(in_range.values_list("customer_id", flat=True), dtype=np.int64)
    gone = np.setdiff1d(held, table.customer_ids, assume_unique=True).tolist()
    if gone:
        in_range.filter(customer_id__in=gone, scored_at__lt=read_started).delete()
    return {"customers_scored": len(scores)}


def scoring_run_complete(run: ScoringRun) -> None:
    """The last chunk has ended: settle the value segments across the whole base, and the
    drift of each learned model from its training (recorded as an alert past the threshold)."""
    run.value_thresholds = _settle_value_segments()
    run.customers_total = run.customers_scored
    run.drift = drift.run_drift(run)
    drift.drift_alerts_record(run)


def _settle_value_segments() -> dict[str, float]:
    """Top 5 % and next 15 % by lifetime value across the whole base, in one statement each."""
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


# --- The job's steps, by name, for commands and tests ------------------------------------------


def scoring_pending_chunks(*, run_id: int) -> list[int]:
    return jobs.job_chunks_pending(job_kind(KIND), run_id=run_id)


def scoring_chunk_run(*, chunk_id: int) -> int:
    """Score one chunk; the customers scored (0 when another worker has it or had it)."""
    counts = jobs.job_chunk_run(job_kind(KIND), chunk_id=chunk_id)
    return counts["customers_scored"] if counts else 0


def scoring_run_fail(*, run: ScoringRun, error: str) -> None:
    jobs.job_fail(job_kind(KIND), run=run, error=error)
