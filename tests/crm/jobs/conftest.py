"""Every job kind, made ready to run the same way, and real Celery workers in processes of
their own for the tests that kill one."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.db.models import Count
from django.utils import timezone

from crm.celery import app
from crm.jobs.kinds import job_kind
from customers.identity.models import DuplicateCandidate
from customers.identity.services.duplicate_scans import duplicate_scan_start
from customers.identity.services.imports import import_job_create
from customers.models import ContactMedium, Customer
from customers.services import ContactMediumInput
from risk import runs
from risk.models import CustomerScore, ScoreKind
from tests.factories import CustomerFactory, ProductFactory, SubscriptionFactory

ROOT = Path(__file__).resolve().parents[3]
CHUNK = 4  # ids (customers, parties, rows of a file) per chunk
SURNAMES = [
    *("Brennan", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Kowalski"),
    *("Haddad", "Novak", "Fischer", "Silva", "Murphy", "Dubois"),
]


@dataclass
class JobHarness:
    """A kind of job with what a test needs to run it: ``populate(chunks)`` makes data for
    that many chunks, ``start(data)`` plans the run, ``check_done_once(run)`` checks every piece
    of work was done exactly once; ``table`` is one its work writes (renamed for a moment, a
    chunk's work fails as on a database that is briefly wrong)."""

    name: str
    populate: object
    start: object
    check_done_once: object
    table: str

    @property
    def kind(self):
        return job_kind(self.name)


# --- Scoring runs: one score row per established customer ---------------------------------------


def _scoring_populate(chunks: int) -> None:
    product = ProductFactory(code="MOB-JOBS", list_price=Decimal("30.00"))
    for n in range(CHUNK * chunks):
        customer = CustomerFactory(status=Customer.Status.ACTIVE, family_name=f"Scored {n}")
        SubscriptionFactory(
            customer=customer,
            product=product,
            monthly_charge=Decimal("30.00") + n,
            start_date=timezone.localdate() - timedelta(days=400),
        )


def _scoring_start(_data):
    """Planned and prepared (models chosen, shared keys counted), as the worker that queues
    the chunks would: a worker's dispatch then finds the preparation done."""
    run = runs.scoring_run_start(chunk_size=CHUNK)
    runs.scoring_run_prepare(run)
    return run


def _scoring_done_once(run) -> None:
    established = set(Customer.objects.values_list("pk", flat=True))
    per_customer = dict(
        CustomerScore.objects.filter(run=run)
        .values("customer_id")
        .annotate(n=Count("id"))
        .values_list("customer_id", "n")
    )
    assert set(per_customer) == established
    assert set(per_customer.values()) == {1}
    assert run.customers_scored == run.customers_total == len(established)
    for score in CustomerScore.objects.filter(run=run):
        assert score.churn_risk is not None and 0 <= score.churn_risk <= 1
        assert score.credit_rating in set("ABCDE")
        assert set(score.reasons) == set(ScoreKind.values)
        assert score.models_used == run.models_used


# --- Duplicate scans: each pair of one person stored once ---------------------------------------


def _scan_populate(chunks: int) -> None:
    # Two records of one person per surname: a chunk of four parties holds two people.
    for surname in SURNAMES[: CHUNK * chunks // 2]:
        email = f"zoe.{surname.lower()}@example.com"
        for given in ("Zoë", "Zoe"):
            CustomerFactory(
                given_name=given,
                family_name=surname,
                contact_media=[ContactMediumInput(kind=ContactMedium.Kind.EMAIL, value=email)],
            )


def _scan_done_once(run) -> None:
    people = Customer.objects.values_list("party__family_name", "pk")
    by_surname: dict[str, list[int]] = {}
    for surname, pk in people:
        by_surname.setdefault(surname, []).append(pk)
    expected = {tuple(sorted(pks)) for pks in by_surname.values()}
    stored = set(DuplicateCandidate.objects.values_list("customer_low_id", "customer_high_id"))
    assert stored == expected
    scanned = DuplicateCandidate.objects.filter(source=DuplicateCandidate.Source.SCAN).count()
    assert run.pairs_found == scanned


# --- Imports: each row of the file imported once --------------------------------------------------


def _import_csv(rows: int) -> bytes:
    lines = ["external_ref,given_name,family_name,email"]
    lines += [f"F-{n},Alma,Row{n:03d},row{n}@example.com" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _import_populate(chunks: int) -> bytes:
    return _import_csv(CHUNK * chunks)


def _import_start(raw: bytes):
    return import_job_create(
        kind="customers", file=ContentFile(raw, name="jobs.csv"), actor=None, batch_size=CHUNK
    )


def _import_done_once(run) -> None:
    refs = list(Customer.objects.values_list("external_ref", flat=True))
    assert sorted(refs) == sorted(f"F-{n}" for n in range(run.rows_total))
    assert (run.rows_done, run.rows_created, run.rows_failed) == (
        run.rows_total,
        run.rows_total,
        0,
    )


HARNESSES = {
    "scoring": JobHarness(
        name="scoring",
        populate=_scoring_populate,
        start=_scoring_start,
        check_done_once=_scoring_done_once,
        table=CustomerScore._meta.db_table,
    ),
    "duplicate_scan": JobHarness(
        name="duplicate_scan",
        populate=_scan_populate,
        start=lambda _: duplicate_scan_start(chunk_size=CHUNK),
        check_done_once=_scan_done_once,
        table=DuplicateCandidate._meta.db_table,
    ),
    "import": JobHarness(
        name="import",
        populate=_import_populate,
        start=_import_start,
        check_done_once=_import_done_once,
        table=Customer._meta.db_table,
    ),
}


@pytest.fixture(params=sorted(HARNESSES))
def job(request):
    """Each kind of background job in turn."""
    return HARNESSES[request.param]


# --- Real workers in processes of their own ------------------------------------------------------

LEASE_SECONDS = 2  # the workers' CRM_JOB_LEASE_SECONDS: a dead worker's chunk is free soon


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

    def start(self, queues: tuple[str, ...] = (), include: str = "") -> subprocess.Popen:
        """A worker consuming ``queues`` (every queue when none are named), importing the
        module ``include`` besides the app's own (a job kind that only a test registers)."""
        number = len(self.started) + 1
        options = ["--queues", ",".join(queues)] if queues else []
        if include:
            options += ["--include", include]
        log = self.logs / f"worker-{number}.log"
        env = {
            **os.environ,
            # The development settings, reading the files the test wrote (an import's upload).
            "DJANGO_SETTINGS_MODULE": "crm.settings.dev",
            "CRM_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CRM_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "crm", "worker"),
                    *("--pool", "prefork", "--concurrency", "1", "--loglevel", "WARNING"),
                    *("--hostname", f"jobs-{os.getpid()}-{number}@%h"),
                    *("--without-mingle", "--without-gossip"),
                    *options,
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the pool's child joins the group, and dies with it
            )
        self.started.append((process, log))
        return process

    def hostname(self, process: subprocess.Popen) -> str:
        number = next(n for n, (p, _) in enumerate(self.started, 1) if p is process)
        return f"jobs-{os.getpid()}-{number}@{socket.gethostname()}"

    def wait_until_ready(self, process: subprocess.Popen, timeout: float = 60) -> None:
        """Until the worker answers a ping: it has connected and consumes its queues."""
        deadline = time.monotonic() + timeout
        hostname = self.hostname(process)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the worker exited\n{self.output()}")
            if app.control.ping(destination=[hostname], timeout=0.5):
                return
        pytest.fail(f"the worker did not answer within {timeout:.0f} s\n{self.output()}")

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


def other_sessions() -> list[tuple]:
    """Sessions on the test database other than this process's own connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, query FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchall()


def wait_for_no_other_sessions(timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while other_sessions() and time.monotonic() < deadline:
        time.sleep(0.05)


def _drop_lost_deliveries() -> None:
    """The killed worker's chunk message stays unacknowledged in Redis for the visibility
    timeout (an hour) and would then come back to some later worker; remove it now."""
    with app.connection_for_write() as broker:
        channel = broker.default_channel
        client = channel.client
        for tag, payload in client.hgetall(channel.unacked_key).items():
            headers = json.loads(payload)[0].get("headers") or {}
            if headers.get("task", "").startswith("crm.jobs.tasks."):
                client.zrem(channel.unacked_index_key, tag)
                client.hdel(channel.unacked_key, tag)


@pytest.fixture
def workers(transactional_db, tmp_path):
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # tasks go through Redis to the worker processes
    app.control.purge()  # leftovers of other tests must not run against this database
    started = Workers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
        app.conf.task_always_eager = was_eager
        _drop_lost_deliveries()
        app.control.purge()
        # Closed workers' sessions must be gone before the test database is flushed.
        wait_for_no_other_sessions()
        connections.close_all()
