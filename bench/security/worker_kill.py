"""A scoring run whose worker is killed with SIGKILL in the middle of a chunk, as
tests/crm/jobs/test_faults.py does it: a second session holds the run's row, so the worker is
parked inside the chunk's transaction when it dies; a fresh worker and the resume sweep must
finish the run, each customer scored exactly once."""

import time
from datetime import timedelta

from bench.security.harness import Family, wait_until

CHUNKS = 5


def worker_kill(workers, family_name: str = "worker kill -9") -> Family:
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from crm.celery import app
    from crm.jobs.models import JobStatus
    from crm.jobs.services import job_chunk_run
    from crm.jobs.tasks import job_dispatch, jobs_resume
    from risk.models import CustomerScore, ScoringRun
    from tests.crm.jobs.conftest import HARNESSES, LEASE_SECONDS

    family = Family(family_name)
    job = HARNESSES["scoring"]
    job.populate(CHUNKS)
    app.control.purge()
    run = job.start(None)  # planned and prepared, as the worker that queues the chunks would
    chunks = list(run.chunks.order_by("first_id"))
    if not family.case(len(chunks) >= 3, f"the run has {len(chunks)} chunks, fewer than 3"):
        return family
    for chunk in chunks[:2]:
        job_chunk_run(job.kind, chunk_id=chunk.pk)
    held = chunks[2]
    blocker = connection.get_new_connection(connection.get_connection_params())
    first = None
    try:
        blocker.autocommit = False
        table = ScoringRun._meta.db_table
        blocker.execute(f"SELECT 1 FROM {table} WHERE id = %s FOR UPDATE", [run.pk])
        first = workers.start()
        job_dispatch.delay(job.name, run.pk)

        def parked():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))",
                    [blocker.info.backend_pid],
                )
                return cursor.fetchall() or first.poll() is not None

        reached = wait_until(parked, 90)
        family.case(
            bool(reached) and first.poll() is None,
            f"the worker never reached the held chunk:\n{workers.output()[-500:]}",
            severity=2,
        )
        held.refresh_from_db()
        family.case(
            held.claimed_at is not None and held.done_at is None,
            "the held chunk was not claimed-and-open when the worker was killed",
        )
        workers.kill(first)
    finally:
        blocker.rollback()
        blocker.close()
    run.refresh_from_db()
    held.refresh_from_db()
    family.case(
        run.status == JobStatus.RUNNING and run.chunks_done == 2 and held.done_at is None,
        f"after the kill: {run.status}, {run.chunks_done} chunks done, held done {held.done_at}",
    )
    workers.start()
    time.sleep(max(0.0, (held.claimed_at + timedelta(seconds=LEASE_SECONDS + 0.5) - timezone.now())
                   .total_seconds()))  # fmt: skip
    try:
        resumed = jobs_resume.delay().get(timeout=60)
        family.case(resumed.get(job.name, 0) >= 1, f"the sweep queued nothing again: {resumed}")
    except Exception as error:  # the report names it, the run is still checked
        family.case(False, f"the resume sweep did not answer: {error}", severity=2)
    finished = wait_until(lambda: not ScoringRun.objects.get(pk=run.pk).in_progress, 180, 0.2)
    run.refresh_from_db()
    held.refresh_from_db()
    family.case(bool(finished), f"run {run.pk} still {run.status} after 180 s", severity=2)
    family.case(
        run.status == JobStatus.DONE and run.chunks_done == run.chunks_total == len(chunks),
        f"run ended {run.status}: {run.chunks_done}/{run.chunks_total} chunks, {run.error}",
        severity=2,
    )
    family.case(held.attempts == 2, f"the held chunk was claimed {held.attempts} times, not 2")
    twice = (
        CustomerScore.objects.filter(run=run)
        .values("customer_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    family.case(twice == 0, f"{twice} customers scored more than once in one run", severity=3)
    scored = CustomerScore.objects.filter(run=run).count()
    family.case(
        scored == run.customers_scored == run.customers_total,
        f"{scored} scores stored, run counts {run.customers_scored} of {run.customers_total}",
        severity=3,
    )
    others = run.chunks.exclude(pk=held.pk).exclude(attempts=1).count()
    family.case(others == 0, f"{others} other chunks were claimed more than once")
    return family
