"""Faults during a scoring run: a worker killed in the middle of a chunk, and two "run now"
requests at the same instant.

The worker test runs a real Celery worker as a separate process (prefork pool, as in
production) against the test database and the test's broker, kills its whole process group
with SIGKILL while it is inside a chunk's transaction, and lets a fresh worker and the product's
watchdog (``risk.tasks.scoring_work_resume``) finish the run.

To kill the worker at a known point rather than at whatever moment a timer fires, a second
database connection holds one customer's latest-scores row locked, as a single-customer rescore
running at the same moment would. The worker then claims that customer's chunk, scores it,
writes its history rows and waits on the lock inside the chunk's transaction: the chunk is
claimed, half written and not done when the worker dies. No product code is slowed or patched.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from crm.celery import app
from customers.models import Customer, LatestScores
from risk import services
from risk.models import CustomerScore, ScoreKind, ScoringChunk, ScoringRun
from risk.tasks import scoring_run_launch, scoring_work_resume
from tests.factories import CustomerFactory, ProductFactory, SubscriptionFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 2  # the workers' RISK_CHUNK_LEASE_SECONDS: a dead worker's chunk is free soon
CHUNK_SIZE = 4
CHUNKS = 10
HELD_CHUNK = 4  # 0-based: the worker dies inside the fifth chunk, four being done before it
RUN_TIMEOUT = 120

NOT_POSTGRESQL = connection.vendor != "postgresql"


def _established(count: int) -> list[Customer]:
    product = ProductFactory(code="MOB-FAULT", list_price=Decimal("30.00"))
    customers = []
    for n in range(count):
        customer = CustomerFactory(status=Customer.Status.ACTIVE, family_name=f"Faulted {n}")
        SubscriptionFactory(
            customer=customer,
            product=product,
            monthly_charge=Decimal("30.00") + n,
            start_date=timezone.localdate() - timedelta(days=400),
        )
        customers.append(customer)
    return customers


# --- A real worker in its own process ------------------------------------------------------


def _database_url() -> str:
    """The test database (pytest-django has renamed NAME to it) as a DATABASE_URL."""
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{quote(db['NAME'], safe='')}"


class Workers:
    """Starts Celery workers as process groups of their own; stops whatever is left."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self) -> subprocess.Popen:
        number = len(self.started) + 1
        log = self.logs / f"worker-{number}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "RISK_CHUNK_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "crm", "worker"),
                    *("--pool", "prefork", "--concurrency", "1", "--loglevel", "WARNING"),
                    *("--hostname", f"faults-{os.getpid()}-{number}@%h"),
                    *("--without-mingle", "--without-gossip"),
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the pool's child joins the group, and dies with it
            )
        self.started.append((process, log))
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the whole group: the main process and its pool child, no warm shutdown."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, _ in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    def output(self) -> str:
        return "\n".join(
            f"--- worker {n} (exit {p.poll()}) ---\n{log.read_text(errors='replace')[-4000:]}"
            for n, (p, log) in enumerate(self.started, 1)
        )


def _other_sessions() -> list[tuple]:
    """Sessions on the test database other than this process's own connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, query FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchall()


def _wait_for_no_other_sessions(timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while _other_sessions() and time.monotonic() < deadline:
        time.sleep(0.05)


def _drop_lost_deliveries(chunk_ids: set[int]) -> None:
    """The killed worker's chunk message stays unacknowledged in Redis for the visibility
    timeout (an hour) and would then come back to some later worker; remove it now."""
    with app.connection_for_write() as broker:
        channel = broker.default_channel
        client = channel.client
        for tag, payload in client.hgetall(channel.unacked_key).items():
            message = json.loads(payload)[0]
            headers = message.get("headers") or {}
            if headers.get("task") == "risk.tasks.scoring_chunk" and any(
                headers.get("argsrepr") == f"({pk},)" for pk in chunk_ids
            ):
                client.zrem(channel.unacked_index_key, tag)
                client.hdel(channel.unacked_key, tag)


@pytest.fixture
def workers(transactional_db, tmp_path):
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # .delay() goes through Redis to the worker processes
    app.control.purge()  # leftovers of other tests must not run against this database
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        app.conf.task_always_eager = was_eager
        _drop_lost_deliveries(set(ScoringChunk.objects.values_list("pk", flat=True)))
        app.control.purge()
        # Closed workers' sessions must be gone before the test database is flushed.
        _wait_for_no_other_sessions()
        connections.close_all()


def _wait_until(condition, what: str, workers: Workers, timeout: float = RUN_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.\n{workers.output()}")


def _held_lock_waiters(holder_pid: int) -> list[tuple]:
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
def test_a_run_survives_its_worker_being_killed_mid_run(workers):
    customers = _established(CHUNK_SIZE * CHUNKS)
    established = {c.pk for c in customers}
    app.control.purge()  # the debounced rescores the customers' creation queued
    run = services.scoring_run_start(chunk_size=CHUNK_SIZE)
    chunks = list(run.chunks.order_by("first_customer_id"))
    assert len(chunks) == run.chunks_total == CHUNKS
    held = chunks[HELD_CHUNK]
    in_held = [c for c in customers if held.first_customer_id <= c.pk <= held.last_customer_id]
    assert len(in_held) == CHUNK_SIZE

    # Another transaction holds one customer of the held chunk: the worker will wait on it
    # inside that chunk's transaction, after claiming the chunk and writing its history rows.
    services.customer_rescore(customer=in_held[0])
    blocker = connection.get_new_connection(connection.get_connection_params())
    try:
        blocker.autocommit = False
        blocker.execute(
            f"SELECT 1 FROM {LatestScores._meta.db_table} WHERE customer_id = %s FOR UPDATE",
            [in_held[0].pk],
        )
        first = workers.start()
        scoring_run_launch.delay(run.pk)

        waiting = _wait_until(
            lambda: _held_lock_waiters(blocker.info.backend_pid) or first.poll() is not None,
            "the worker to reach the held chunk",
            workers,
            timeout=60,
        )
        assert first.poll() is None, f"the worker exited early\n{workers.output()}"
        assert len(waiting) == 1, waiting
        # The chunk's upsert of the latest scores (straight, or from its staging table).
        assert "customers_latestscores" in waiting[0][1]

        run.refresh_from_db()
        held.refresh_from_db()
        assert run.status == ScoringRun.Status.RUNNING
        assert 1 <= run.chunks_done < run.chunks_total, "the run must be caught in the middle"
        assert held.claimed_at is not None and held.done_at is None
        workers.kill(first)
    finally:
        blocker.rollback()
        blocker.close()

    # The dead worker's transaction is rolled back by PostgreSQL: its half-written chunk left
    # no scores behind, and stays claimed (until the lease runs out) but not done.
    _wait_for_no_other_sessions()
    assert not _other_sessions(), "the killed worker's session is still there"
    held.refresh_from_db()
    run.refresh_from_db()
    done_at_kill = run.chunks_done
    assert held.claimed_at is not None and held.done_at is None and held.attempts == 1
    assert not CustomerScore.objects.filter(run=run, customer__in=in_held).exists()
    assert run.status == ScoringRun.Status.RUNNING
    assert done_at_kill < run.chunks_total

    # A fresh worker takes the chunks still queued; once the lease has run out, the watchdog
    # queues the chunk the dead worker held (its message is stuck unacknowledged in Redis).
    workers.start()
    lease_over = held.claimed_at + timedelta(seconds=LEASE_SECONDS + 0.5)
    time.sleep(max(0.0, (lease_over - timezone.now()).total_seconds()))
    resumed = scoring_work_resume.delay().get(timeout=60)
    assert resumed["chunks"] >= 1, resumed

    def finished():
        run.refresh_from_db()
        return run.status not in (ScoringRun.Status.QUEUED, ScoringRun.Status.RUNNING)

    _wait_until(finished, f"run {run.pk} to finish", workers)

    assert run.status == ScoringRun.Status.DONE, (run.error, workers.output())
    assert run.chunks_done == run.chunks_total == CHUNKS
    assert run.chunks_failed == 0
    assert run.customers_scored == run.customers_total == len(established)
    held.refresh_from_db()
    assert held.done_at is not None and held.attempts == 2  # the dead worker's, then the new
    assert not ScoringChunk.objects.filter(run=run, done_at__isnull=True).exists()
    others = ScoringChunk.objects.filter(run=run).exclude(pk=held.pk)
    assert set(others.values_list("attempts", flat=True)) == {1}  # redeliveries claim nothing

    # Exactly one score row per established customer for this run, holding every kind.
    per_customer = dict(
        CustomerScore.objects.filter(run=run)
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    assert set(per_customer) == established
    assert set(per_customer.values()) == {1}
    for score in CustomerScore.objects.filter(run=run):
        assert score.churn_risk is not None and 0 <= score.churn_risk <= 1
        assert score.credit_score is not None and score.credit_rating in set("ABCDE")
        assert score.fraud_risk is not None
        assert score.influence is not None
        assert score.lifetime_value is not None
        assert set(score.reasons) == set(ScoreKind.values)
        assert score.models_used == run.models_used
    latest = list(LatestScores.objects.values_list("customer_id", flat=True))
    assert sorted(latest) == sorted(established)


# --- Two "run now" requests at once ---------------------------------------------------------


def _race(actors) -> list:
    """Every actor asks for a run at the same instant; each one's run or exception."""
    barrier = threading.Barrier(len(actors))
    outcomes = [None] * len(actors)

    def request(index, actor):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.scoring_run_start(actor=actor)
        except Exception as error:  # the test inspects whatever happened, not just refusals
            outcomes[index] = error
        finally:
            # A thread's connection is its own; left open it would block the test database flush.
            connection.close()

    threads = [threading.Thread(target=request, args=item) for item in enumerate(actors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_run_now_requests_start_one_run():
    # On SQLite the two requests take turns (it locks the whole database for a write); on
    # PostgreSQL they overlap, and the check and the partial unique index both come into play.
    # Something to plan a run over; a lead asks for no rescore, so nothing is left in the broker.
    CustomerFactory(family_name="Anyone")
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")

    for round_ in range(5):
        outcomes = _race([alice, bob])

        runs = [o for o in outcomes if isinstance(o, ScoringRun)]
        refusals = [o for o in outcomes if isinstance(o, ValidationError)]
        assert len(runs) == 1 and len(refusals) == 1, f"round {round_}: {outcomes!r}"
        assert "already in progress" in refusals[0].messages[0]
        (run,) = runs
        assert run.requested_by in (alice, bob)
        assert run.status == ScoringRun.Status.QUEUED
        assert ScoringRun.objects.count() == round_ + 1
        assert list(ScoringRun.objects.filter(status__in=["queued", "running"])) == [run]
        assert run.chunks.count() == run.chunks_total == 1

        # The run ends (here by failing) and the next round races for a new one.
        services.scoring_run_fail(run=run, error=f"round {round_} over")

    assert not ScoringRun.objects.filter(status__in=["queued", "running"]).exists()
