"""Plan, claim, finish and fail the chunks of a job, whatever its kind."""

from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from crm.handoff import task_send, task_send_after_commit

from .kinds import JobKind, job_kinds
from .models import IN_PROGRESS, JobStatus

# A chunk is tried this many times (a killed worker's try included), then counted failed.
CHUNK_ATTEMPTS = 4
DISPATCH_TASK = "crm.jobs.tasks.job_dispatch"
CHUNK_TASK = "crm.jobs.tasks.job_chunk"


def job_lease() -> timedelta:
    """A chunk claimed longer ago than this by a worker that never finished it is free again."""
    return timedelta(seconds=settings.CRM_JOB_LEASE_SECONDS)


def id_ranges(first: int, last: int, size: int) -> list[tuple[int, int]]:
    """``first``..``last`` in ranges of ``size`` ids; none when there is nothing (last 0)."""
    if size < 1:
        raise ValidationError("The chunk size must be at least 1.")
    if not last:
        return []
    return [(start, min(start + size - 1, last)) for start in range(first, last + 1, size)]


def job_plan(
    kind: JobKind,
    /,
    *,
    ranges: Iterable[tuple[int, int]],
    refuse: Callable[[], None] | None = None,
    **fields,
):
    """Create a run of ``kind`` with one chunk per range; refused while one is in progress
    (one of the same owner's, for a kind whose runs are owned).

    A run with no chunk is done at once. The check comes first for a clear refusal; the
    constraint settles two plans at the same instant. ``refuse()`` may refuse the run for a
    reason of the kind's own (raising ValidationError) in the same transaction."""
    Run, Chunk = kind.runs, kind.chunks
    now = timezone.now()
    try:
        with transaction.atomic():
            if refuse:
                refuse()
            in_progress = Run.objects.filter(status__in=IN_PROGRESS)
            if kind.owner_field:
                in_progress = in_progress.filter(**{kind.owner_field: fields[kind.owner_field]})
            if in_progress.exists():
                raise ValidationError(kind.in_progress_message, code="in_progress")
            run = Run.objects.create(requested_at=now, **fields)
            chunks = [Chunk(run=run, first_id=first, last_id=last) for first, last in ranges]
            Chunk.objects.bulk_create(chunks, batch_size=1000)
            run.chunks_total = len(chunks)
            if not chunks:
                run.status = JobStatus.DONE
                run.started_at = run.finished_at = now
            run.save()
    except IntegrityError:
        raise ValidationError(kind.in_progress_message, code="in_progress") from None
    return run


def job_request(kind: JobKind, run) -> None:
    """Have workers carry out ``run`` once the current transaction commits."""
    if run.in_progress:
        task_send_after_commit(DISPATCH_TASK, kind.name, run.pk, queue=kind.queue)


def job_dispatch(kind: JobKind, run_id: int, *, in_process: bool = False) -> int:
    """In a worker: prepare the run, then queue its chunks still to do (for a kind whose
    chunks run in order, the next one: each chunk queues the one after it). Returns how many
    were queued. ``in_process`` (tasks run eagerly, each send runs the chunk at once): queue
    until none is left, so an in-order run is carried out here, one chunk after another."""
    run = kind.runs.objects.get(pk=run_id)
    if not run.in_progress:
        return 0
    if kind.prepare:
        kind.prepare(run)
    queued = 0
    while pending := job_chunks_pending(kind, run_id=run_id):
        for chunk_id in pending:
            task_send(CHUNK_TASK, kind.name, chunk_id, queue=kind.queue)
        queued += len(pending)
        if not in_process:
            break
    return queued


def _ended_before(kind: JobKind):
    """Some chunk of the same run before this one has not ended."""
    return Exists(
        kind.chunks.objects.filter(
            run_id=OuterRef("run_id"), first_id__lt=OuterRef("first_id"), done_at__isnull=True
        )
    )


def _free(kind: JobKind, now):
    """Chunks not ended and not held by a live worker (and, in order, next in line)."""
    chunks = kind.chunks.objects.filter(done_at__isnull=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - job_lease())
    )
    if kind.in_order is True:
        chunks = chunks.exclude(_ended_before(kind))
    elif kind.in_order:
        chunks = chunks.exclude(kind.in_order & Q(_ended_before(kind)))
    return chunks


def _in_order(kind: JobKind, chunk) -> bool:
    """Whether the chunks of ``chunk``'s run go one after another."""
    if isinstance(kind.in_order, bool):
        return kind.in_order
    return kind.chunks.objects.filter(kind.in_order, pk=chunk.pk).exists()


def job_chunks_pending(kind: JobKind, *, run_id: int) -> list[int]:
    """Chunks of the run a worker may take now, in id order."""
    free = _free(kind, timezone.now()).filter(run_id=run_id)
    return list(free.order_by("first_id").values_list("pk", flat=True))


def job_chunks_stalled(kind: JobKind) -> list[int]:
    """Chunks of runs in progress that no live worker holds: never taken since the run was
    queued a lease ago (their message was lost), or claimed by a worker that died."""
    now = timezone.now()
    stale = now - job_lease()
    return list(
        _free(kind, now)
        .filter(run__status__in=IN_PROGRESS)
        .filter(Q(claimed_at__isnull=False) | Q(run__requested_at__lt=stale))
        .order_by("run_id", "first_id")
        .values_list("pk", flat=True)
    )


def jobs_resume() -> dict[str, int]:
    """Queue again every stalled chunk of every kind; work already done is never redone. A run
    whose chunks have all ended but that was never finished (its completion step failed) is
    finished now."""
    resumed = {}
    for kind in job_kinds():
        ended = kind.runs.objects.filter(status__in=IN_PROGRESS, chunks_done__gte=F("chunks_total"))
        for run_id in ended.values_list("pk", flat=True):
            job_finish_if_complete(kind, run_id=run_id)
        stalled = job_chunks_stalled(kind)
        for chunk_id in stalled:
            task_send(CHUNK_TASK, kind.name, chunk_id, queue=kind.queue)
        resumed[kind.name] = len(stalled)
    return resumed


def job_chunk_run(kind: JobKind, *, chunk_id: int, queue_next: bool = False) -> dict | None:
    """Do one chunk: its counts, or None when another worker has it or had it.

    The claim is one UPDATE only one worker can win; it counts an attempt. The work and the
    "done" mark commit together under a lock on the chunk, so a second delivery waits, then
    finds it done. ``queue_next`` (a worker's call) queues the next chunk of an in-order kind.
    """
    Run, Chunk = kind.runs, kind.chunks
    now = timezone.now()
    claimed = (
        _free(kind, now).filter(pk=chunk_id).update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    chunk = Chunk.objects.select_related("run").get(pk=chunk_id)
    Run.objects.filter(pk=chunk.run_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now
    )
    run = chunk.run
    with transaction.atomic():
        # Only the chunk's row: ordered by its run, the lock would take the run's row too and
        # make the chunks of a run wait for each other.
        locked = Chunk.objects.select_for_update().filter(pk=chunk_id, done_at__isnull=True)
        if not locked.order_by("pk").values_list("pk", flat=True).first():
            return None
        counts = kind.work(run, chunk)
        own = {f.name for f in Chunk._meta.concrete_fields}
        Chunk.objects.filter(pk=chunk_id).update(
            done_at=timezone.now(),
            error="",
            **{name: value for name, value in counts.items() if name in own},
        )
        Run.objects.filter(pk=run.pk).update(
            chunks_done=F("chunks_done") + 1,
            **{name: F(name) + value for name, value in counts.items()},
        )
    job_finish_if_complete(kind, run_id=run.pk)
    if queue_next and _in_order(kind, chunk):
        job_queue_next(kind, run_id=run.pk)
    return counts


def job_queue_next(kind: JobKind, *, run_id: int) -> None:
    for chunk_id in job_chunks_pending(kind, run_id=run_id)[:1]:
        task_send(CHUNK_TASK, kind.name, chunk_id, queue=kind.queue)


def job_chunk_failed(kind: JobKind, *, chunk_id: int, error: str) -> bool:
    """Record a chunk's failure and free it; True when it is to be tried again. After its
    last attempt it counts as failed, and the run goes on with the other chunks."""
    Chunk = kind.chunks
    Chunk.objects.filter(pk=chunk_id, done_at__isnull=True).update(
        error=error[:2000], claimed_at=None
    )
    chunk = Chunk.objects.get(pk=chunk_id)
    if chunk.done_at is not None:
        return False
    if chunk.attempts < CHUNK_ATTEMPTS:
        return True
    with transaction.atomic():
        marked = Chunk.objects.filter(pk=chunk_id, done_at__isnull=True).update(
            done_at=timezone.now(), failed=True
        )
        if marked:
            kind.runs.objects.filter(pk=chunk.run_id).update(
                chunks_done=F("chunks_done") + 1, chunks_failed=F("chunks_failed") + 1
            )
    job_finish_if_complete(kind, run_id=chunk.run_id)
    return False


def job_finish_if_complete(kind: JobKind, *, run_id: int) -> None:
    """Once every chunk has ended: the kind's completion step, then done, or failed when a
    chunk failed after its attempts (the work of the others stays)."""
    with transaction.atomic():
        run = (
            kind.runs.objects.select_for_update()
            .filter(pk=run_id, status__in=IN_PROGRESS, chunks_done__gte=F("chunks_total"))
            .first()
        )
        if run is None:
            return
        if kind.complete:
            kind.complete(run)
        if run.chunks_failed:
            run.status = JobStatus.FAILED
            run.error = (
                f"{run.chunks_failed} of {run.chunks_total} chunks failed after "
                f"{CHUNK_ATTEMPTS} attempts."
            )
        else:
            run.status = JobStatus.DONE
        run.finished_at = timezone.now()
        run.save()


def job_fail(kind: JobKind, *, run, error: str) -> None:
    """End a run that cannot go on; chunks already done keep their work."""
    kind.runs.objects.filter(pk=run.pk).update(
        status=JobStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def job_reopen(kind: JobKind, *, run) -> list[int]:
    """Take up a failed or stalled run again: its failed chunks get new attempts; returns the
    chunks a worker may take now."""
    Run, Chunk = kind.runs, kind.chunks
    try:
        with transaction.atomic():
            failed = Chunk.objects.filter(run_id=run.pk, failed=True).update(
                failed=False, done_at=None, attempts=0, claimed_at=None
            )
            Run.objects.filter(pk=run.pk, status=JobStatus.FAILED).update(
                status=JobStatus.RUNNING,
                error="",
                finished_at=None,
                chunks_done=F("chunks_done") - failed,
                chunks_failed=0,
            )
    except IntegrityError:
        raise ValidationError(kind.in_progress_message, code="in_progress") from None
    run.refresh_from_db()
    return job_chunks_pending(kind, run_id=run.pk)


def job_run_here(kind: JobKind, *, run, on_chunk=None) -> None:
    """Carry out ``run`` in this process, chunk after chunk (a command's way), with the same
    claims, attempts and completion as workers; ``on_chunk(run)`` after each chunk ends."""
    while pending := job_chunks_pending(kind, run_id=run.pk):
        for chunk_id in pending:
            try:
                job_chunk_run(kind, chunk_id=chunk_id)
            except Exception as error:
                if not job_chunk_failed(kind, chunk_id=chunk_id, error=repr(error)):
                    raise
            run.refresh_from_db()
            if on_chunk:
                on_chunk(run)
