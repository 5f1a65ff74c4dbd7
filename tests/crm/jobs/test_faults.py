"""Faults every kind of background job survives: a worker killed in the middle of a chunk, a chunk
delivered twice, two starts at the same instant, a lease that ran out, a chunk that keeps failing.

The killed-worker test runs a real Celery worker as a separate process (prefork pool, as in
production) against the test database and the test's broker, kills its whole process group with
SIGKILL while it is inside a chunk's transaction, and lets a fresh worker and the one resume
sweep (``crm.jobs.tasks.jobs_resume``) finish the job.

To kill the worker at a known point rather than whenever a timer fires, a second database
session holds the run's row locked. The worker claims the next chunk, does its work and then
waits on that lock to count the chunk, inside the chunk's transaction: the chunk is claimed,
its work written but not committed, and not done when the worker dies. No product code is
slowed or patched.
"""

import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from crm.celery import app
from crm.jobs.models import JobStatus
from crm.jobs.services import (
    CHUNK_ATTEMPTS,
    job_chunk_run,
    job_chunks_pending,
    job_chunks_stalled,
    job_fail,
    job_lease,
)
from crm.jobs.tasks import job_chunk, job_dispatch, jobs_resume

from .conftest import LEASE_SECONDS, other_sessions, wait_for_no_other_sessions

CHUNKS = 5
RUN_TIMEOUT = 120
NOT_POSTGRESQL = connection.vendor != "postgresql"


def _chunks(run) -> list:
    return list(run.chunks.order_by("first_id"))


# --- A chunk delivered twice ---------------------------------------------------------------------


def _deliver_twice_at_once(job, chunk_id: int) -> list:
    """Two workers given the same chunk at the same instant; what each one's run returned."""
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def deliver(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = job_chunk_run(job.kind, chunk_id=chunk_id)
        except Exception as error:  # the test inspects whatever happened
            outcomes[index] = error
        finally:
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a delivery never finished"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_a_chunk_delivered_twice_does_its_work_once(job):
    run = job.start(job.populate(CHUNKS))
    chunks = _chunks(run)
    assert len(chunks) == run.chunks_total == CHUNKS

    for chunk in chunks:
        # Two deliveries at once, then a third after the chunk is done.
        outcomes = _deliver_twice_at_once(job, chunk.pk)
        assert sum(isinstance(outcome, dict) for outcome in outcomes) == 1, outcomes
        assert outcomes.count(None) == 1, outcomes
        assert job_chunk_run(job.kind, chunk_id=chunk.pk) is None

    run.refresh_from_db()
    assert run.status == JobStatus.DONE
    assert (run.chunks_done, run.chunks_total, run.chunks_failed) == (CHUNKS, CHUNKS, 0)
    assert run.started_at is not None and run.finished_at >= run.started_at
    assert {chunk.attempts for chunk in _chunks(run)} == {1}  # the losers claimed nothing
    assert not run.chunks.filter(done_at__isnull=True).exists()
    job.check_done_once(run)


# --- Two starts at the same instant --------------------------------------------------------------


def _race(job, data) -> list:
    """Two requests start the job at the same instant; each one's run or exception."""
    barrier = threading.Barrier(2)
    outcomes = [None, None]

    def request(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = job.start(data)
        except Exception as error:  # the test inspects whatever happened, not just refusals
            outcomes[index] = error
        finally:
            connection.close()  # a thread's connection is its own

    threads = [threading.Thread(target=request, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_starts_leave_one_run(job):
    # On SQLite the two take turns (it locks the whole database for a write); on PostgreSQL
    # they overlap, and the check and the partial unique index both come into play.
    data = job.populate(1)
    Run = job.kind.runs

    for round_ in range(5):
        outcomes = _race(job, data)

        runs = [o for o in outcomes if isinstance(o, Run)]
        refusals = [o for o in outcomes if isinstance(o, ValidationError)]
        assert len(runs) == 1 and len(refusals) == 1, f"round {round_}: {outcomes!r}"
        assert refusals[0].code == "in_progress"
        assert refusals[0].messages == [job.kind.in_progress_message]
        (run,) = runs
        assert run.status == JobStatus.QUEUED
        assert Run.objects.count() == round_ + 1
        assert list(Run.objects.filter(status__in=["queued", "running"])) == [run]
        assert run.chunks.count() == run.chunks_total == 1

        # The run ends (here by failing) and the next round races for a new one.
        job_fail(job.kind, run=run, error=f"round {round_} over")

    assert not Run.objects.filter(status__in=["queued", "running"]).exists()


# --- A lease that ran out ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_chunk_whose_lease_ran_out_is_taken_over_by_another_worker(job):
    run = job.start(job.populate(1))
    (chunk,) = _chunks(run)
    Chunk = job.kind.chunks

    # A live worker claimed it a moment ago: nobody else takes it.
    Chunk.objects.filter(pk=chunk.pk).update(claimed_at=timezone.now(), attempts=1)
    assert job_chunks_pending(job.kind, run_id=run.pk) == []
    assert job_chunks_stalled(job.kind) == []
    assert job_chunk_run(job.kind, chunk_id=chunk.pk) is None

    # That worker died: once its lease has run out, the sweep offers the chunk again and
    # another worker takes it over.
    died = timezone.now() - job_lease() - timedelta(seconds=1)
    Chunk.objects.filter(pk=chunk.pk).update(claimed_at=died)
    assert job_chunks_pending(job.kind, run_id=run.pk) == [chunk.pk]
    assert job_chunks_stalled(job.kind) == [chunk.pk]
    assert job_chunk_run(job.kind, chunk_id=chunk.pk) is not None

    chunk.refresh_from_db()
    run.refresh_from_db()
    assert chunk.done_at is not None and chunk.attempts == 2 and not chunk.failed
    assert run.status == JobStatus.DONE
    assert job_chunks_stalled(job.kind) == []
    job.check_done_once(run)


# --- A chunk that keeps failing ------------------------------------------------------------------


@contextmanager
def _table_away(table: str):
    """The table is renamed for a moment: every query on it fails, as on a broken database."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")


@pytest.mark.django_db(transaction=True)
def test_a_failing_chunk_is_retried_then_counted_failed_and_the_run_fails(job, tasks_in_process):
    run = job.start(job.populate(3))
    first, failing, last = _chunks(run)
    assert job_chunk_run(job.kind, chunk_id=first.pk) is not None

    # Tried again in-process at once (a worker waits a little longer each time), then given up;
    # the eager retries keep the outcome instead of raising it.
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    try:
        with _table_away(job.table):
            outcome = job_chunk.apply(args=(job.name, failing.pk))
    finally:
        app.conf.task_eager_propagates = propagates

    assert outcome.failed()
    assert job.table in str(outcome.result)

    failing.refresh_from_db()
    run.refresh_from_db()
    assert failing.attempts == CHUNK_ATTEMPTS
    assert failing.failed and failing.done_at is not None and failing.error
    assert run.status == JobStatus.RUNNING  # the other chunks go on
    assert (run.chunks_done, run.chunks_failed) == (2, 1)
    assert job_chunk_run(job.kind, chunk_id=failing.pk) is None  # ended: never tried again

    assert job_chunk_run(job.kind, chunk_id=last.pk) is not None

    run.refresh_from_db()
    assert run.status == JobStatus.FAILED
    assert run.error == f"1 of 3 chunks failed after {CHUNK_ATTEMPTS} attempts."
    assert (run.chunks_done, run.chunks_total, run.chunks_failed) == (3, 3, 1)
    assert run.finished_at is not None
    assert run.chunks.filter(failed=False, done_at__isnull=False).count() == 2


# --- A worker killed in the middle of a chunk ---------------------------------------------------


def _wait_until(condition, what: str, workers, timeout: float = RUN_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.\n{workers.output()}")


def _lock_waiters(holder_pid: int) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, query FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
            [holder_pid],
        )
        return cursor.fetchall()


@pytest.mark.skipif(
    NOT_POSTGRESQL,
    reason="needs PostgreSQL and Redis (DATABASE_URL=postgres://…, CELERY_BROKER_URL=redis://…): "
    "the worker is parked on a row lock, which SQLite does not have",
)
@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_a_job_survives_its_worker_being_killed_mid_chunk(job, workers):
    data = job.populate(CHUNKS)
    app.control.purge()  # what creating the data queued (rescores after events)
    run = job.start(data)
    chunks = _chunks(run)
    assert len(chunks) == run.chunks_total == CHUNKS
    Run = job.kind.runs
    # Two chunks are done before the worker starts: it is caught in the middle of the run.
    for chunk in chunks[:2]:
        assert job_chunk_run(job.kind, chunk_id=chunk.pk) is not None
    held = chunks[2]

    # Another session holds the run's row: the worker does the held chunk's work, then waits
    # on the lock to count it, inside the chunk's transaction.
    blocker = connection.get_new_connection(connection.get_connection_params())
    try:
        blocker.autocommit = False
        blocker.execute(f"SELECT 1 FROM {Run._meta.db_table} WHERE id = %s FOR UPDATE", [run.pk])
        first = workers.start()
        job_dispatch.delay(job.name, run.pk)

        waiting = _wait_until(
            lambda: _lock_waiters(blocker.info.backend_pid) or first.poll() is not None,
            "the worker to reach the held chunk",
            workers,
            timeout=60,
        )
        assert first.poll() is None, f"the worker exited early\n{workers.output()}"
        assert len(waiting) == 1, waiting
        assert f'UPDATE "{Run._meta.db_table}"' in waiting[0][1]  # counting the chunk done

        run.refresh_from_db()
        held.refresh_from_db()
        assert run.status == JobStatus.RUNNING
        assert run.chunks_done == 2 < run.chunks_total, "the run must be caught in the middle"
        assert held.claimed_at is not None and held.done_at is None
        workers.kill(first)
    finally:
        blocker.rollback()
        blocker.close()

    # The dead worker's transaction is rolled back by PostgreSQL: its half-done chunk left no
    # work behind, and stays claimed (until the lease runs out) but not done.
    wait_for_no_other_sessions()
    assert not other_sessions(), "the killed worker's session is still there"
    held.refresh_from_db()
    run.refresh_from_db()
    assert held.claimed_at is not None and held.done_at is None and held.attempts == 1
    assert run.status == JobStatus.RUNNING and run.chunks_done == 2

    # A fresh worker takes the chunks still queued; once the lease has run out, the sweep
    # queues the chunk the dead worker held (its message is stuck unacknowledged in Redis).
    workers.start()
    lease_over = held.claimed_at + timedelta(seconds=LEASE_SECONDS + 0.5)
    time.sleep(max(0.0, (lease_over - timezone.now()).total_seconds()))
    resumed = jobs_resume.delay().get(timeout=60)
    assert resumed[job.name] >= 1, resumed

    def finished():
        run.refresh_from_db()
        return not run.in_progress

    _wait_until(finished, f"{job.name} run {run.pk} to finish", workers)

    assert run.status == JobStatus.DONE, (run.error, workers.output())
    assert (run.chunks_done, run.chunks_total, run.chunks_failed) == (CHUNKS, CHUNKS, 0)
    held.refresh_from_db()
    assert held.done_at is not None and held.attempts == 2  # the dead worker's, then the new
    assert not run.chunks.filter(done_at__isnull=True).exists()
    others = run.chunks.exclude(pk=held.pk)
    assert set(others.values_list("attempts", flat=True)) == {1}  # redeliveries claim nothing
    job.check_done_once(run)


@pytest.mark.django_db
def test_the_sweep_finishes_a_run_whose_chunks_all_ended_but_never_finished(job):
    run = job.start(job.populate(1))
    # Its last chunk ended, then the worker died before the completion step committed.
    run.chunks.update(done_at=timezone.now(), attempts=1)
    job.kind.runs.objects.filter(pk=run.pk).update(status=JobStatus.RUNNING, chunks_done=1)

    assert jobs_resume.run()[job.name] == 0  # nothing to queue again

    run.refresh_from_db()
    assert run.status == JobStatus.DONE and run.finished_at is not None
