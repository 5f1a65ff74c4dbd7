"""A dry run and a real run of the retention rules over a seeded base, through real Celery
workers, with a worker killed with SIGKILL in the middle of the real run.

On a PostgreSQL database seeded with the product's own ``seed_demo`` (``--customers``) and
``seed_surveys`` (``--survey-months`` of answers), a share of the base is aged with set-based
UPDATEs, each aged customer's whole history moved back with them:

* 5 % of the never-converted (leads, prospects, disqualified) last active 3 years ago;
* 2 % of the base terminated 8 years ago, every invoice of theirs paid;
* a comment on a fifth of the survey answers (seed_surveys writes none), so that the comment
  rule has text to scrub; interactions and log entries keep the dates seed_demo gave them
  (five years back), besides the aged customers'.

Every rule is enabled with its default period through ``retention_rule_update`` by an
administrator. Then, with ``celery -A crm worker`` (``--workers`` processes) on a Redis db of the
benchmark's own:

* dry run: ``retention_run_request(dry_run=True)``; wall seconds from the request to the run's
  ``finished_at``, customers per second, the run's counter of each rule, the load average;
* real run: the same with ``dry_run=False``. Once ``--kill-after`` of its chunks are done and a
  chunk is in hand, the worker is killed with SIGKILL (process group, no warm shutdown), a new
  one is started, and once the lease (``--lease-seconds``, the workers' and this process's
  CRM_JOB_LEASE_SECONDS) has run out, ``crm.jobs.tasks.jobs_resume`` is sent as beat sends it.
  The run must end done, every chunk done once (none failed, chunks_done = chunks_total), no
  customer erased twice (at most one erasure record and one erasure log entry per customer) and
  one erasure record per customer the run counts; the exit status is non-zero otherwise.

    python bench/bench_retention.py --customers 1000000
    python bench/bench_retention.py --customers 2000 --chunk-size 100 \\
        --database-url postgres://postgres@127.0.0.1:5432/crm_ci_retention
"""

import argparse
import os
import shlex
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import database_exists, demo_base_seed  # noqa: E402
from bench.workers import Worker, manage, queue_purge  # noqa: E402

LEAD_SHARE = 0.05  # of the never-converted customers: last active LEAD_YEARS ago
LEAD_YEARS = 3
TERMINATED_SHARE = 0.02  # of the whole base: terminated TERMINATED_YEARS ago, owing nothing
TERMINATED_YEARS = 8
COMMENT_SHARE = 0.2  # of the survey answers: given a comment
COMMENTS = (
    "The engineer came on time and fixed the line.",
    "Too long on hold before anyone answered.",
    "My bill was wrong twice this year.",
    "Friendly staff, but the signal at home is still weak.",
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--customers", type=int, default=1_000_000, help="seed_demo size")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/crm_bench_retention"
    )
    parser.add_argument(
        "--broker-url",
        default="redis://127.0.0.1:6379/7",
        help="a Redis db of the benchmark's own: its queue is purged before the runs",
    )
    parser.add_argument("--workers", type=int, default=2, help="Celery worker concurrency")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=0,
        help="customers per chunk (retention.CHUNK_CUSTOMERS for planning); 0: the product's",
    )
    parser.add_argument("--survey-months", type=int, default=36, help="seed_surveys --months")
    parser.add_argument("--seed", type=int, default=42, help="seed_demo seed")
    parser.add_argument(
        "--lease-seconds",
        type=int,
        default=10,
        help="CRM_JOB_LEASE_SECONDS of the workers and this process: the killed worker's chunk "
        "is free again after it",
    )
    parser.add_argument(
        "--kill-after",
        type=float,
        default=0.3,
        help="share of the real run's chunks done before its worker is killed",
    )
    parser.add_argument("--no-kill", action="store_true", help="no worker killed")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing database seeded with the same --customers that no retention "
        "run has touched (say, one whose seeding finished and whose runs did not) instead of "
        "recreating it",
    )
    parser.add_argument("--run-timeout", type=int, default=3600, help="seconds per run")
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    if args.workers < 1 or args.chunk_size < 0 or args.lease_seconds < 1:
        parser.error("--workers and --lease-seconds must be at least 1, --chunk-size 0 or more")
    if not 0 < args.kill_after < 1:
        parser.error("--kill-after must be between 0 and 1")
    if not 1 <= args.survey_months <= 36:
        parser.error("--survey-months must be between 1 and 36")
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url must be a postgres:// URL: this benchmark measures PostgreSQL")
    if not args.broker_url.startswith(("redis://", "rediss://")):
        parser.error("--broker-url must be a redis:// URL")
    return args


def say(text: str) -> None:
    print(text, flush=True)


# --- The base -------------------------------------------------------------------------------


def _untouched_base(args) -> bool:
    """A seeded base of the right size that no retention run or erasure has changed."""
    from customers.models import Customer
    from privacy.models import ErasureRequest, RetentionRun

    seeded = Customer.objects.count()
    if seeded != args.customers:
        say(f"--reuse: the database holds {seeded} customers, not {args.customers}.")
        return False
    if RetentionRun.objects.exists() or ErasureRequest.objects.exists():
        say("--reuse: a retention run or an erasure has changed this base already.")
        return False
    return True


def base_ready(args) -> dict:
    facts = {"reused": False, "seed_s": None, "keys_s": None, "analyze_s": None}
    if args.reuse and database_exists(args.database_url):
        manage(args, "migrate", "--no-input", "-v0")
        if _untouched_base(args):
            facts["reused"] = True
            say(f"Reusing {args.customers:,} seeded customers in {args.database_url}.")
            from customers.identity.models import IdentityKey

            if not IdentityKey.objects.exists():  # seeded with --identity-keys no
                facts["keys_s"] = manage(args, "rebuild_identity_keys", "--workers", "2")
    if not facts["reused"]:
        facts.update(demo_base_seed(args, label="retention"))
    from satisfaction.models import Response

    facts["surveys_s"] = None
    if not Response.objects.exists():
        facts["surveys_s"] = manage(args, "seed_surveys", "--months", str(args.survey_months))
    return facts


def _sampled(table: str, where: str, how_many: str) -> str:
    """Ids of ``how_many`` (an SQL expression) of ``table``'s rows matching ``where``, spread
    over the id range."""
    return f"SELECT id FROM {table} WHERE {where} ORDER BY md5(id::text) LIMIT {how_many}"


def base_age() -> dict:
    """Age a share of the base with set-based UPDATEs: each chosen customer's dates, with the
    dates of their interactions, survey answers and log entries, moved back by one shift."""
    from django.db import connection, transaction

    from customers.models import ActionLog, Customer, Interaction, Invoice
    from privacy.retention import NEVER_CONVERTED
    from satisfaction.models import Response

    customers = Customer._meta.db_table
    never = ", ".join(f"'{status}'" for status in NEVER_CONVERTED)
    started = time.monotonic()
    counts = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_aged (id bigint PRIMARY KEY, shift interval)")
        # Last active LEAD_YEARS ago, everything they did before that.
        cursor.execute(
            f"INSERT INTO bench_aged (id, shift) SELECT id, "
            f"coalesce(last_activity_at, created_at) - (now() - interval '{LEAD_YEARS} years') "
            f"- make_interval(days => (id % 90)::int) FROM {customers} WHERE id IN ("
            + _sampled(
                customers,
                f"status IN ({never}) AND merged_into_id IS NULL",
                f"ceil({LEAD_SHARE} * (SELECT count(*) FROM {customers} "
                f"WHERE status IN ({never}) AND merged_into_id IS NULL))",
            )
            + ")"
        )
        counts["leads aged"] = cursor.rowcount
        # Terminated TERMINATED_YEARS ago (active, suspended or terminated until now).
        cursor.execute(
            f"INSERT INTO bench_aged (id, shift) SELECT id, "
            f"coalesce(valid_to, now()) - (now() - interval '{TERMINATED_YEARS} years') "
            f"- make_interval(days => (id % 90)::int) FROM {customers} WHERE id IN ("
            + _sampled(
                customers,
                f"status NOT IN ({never}) AND merged_into_id IS NULL",
                f"ceil({TERMINATED_SHARE} * (SELECT count(*) FROM {customers}))",
            )
            + ")"
        )
        counts["terminated aged"] = cursor.rowcount
        cursor.execute("ANALYZE bench_aged")
        lead = f"c.status IN ({never})"
        cursor.execute(
            f"UPDATE {customers} c SET "
            f"status = CASE WHEN {lead} THEN c.status ELSE 'terminated' END, "
            f"valid_to = CASE WHEN {lead} THEN c.valid_to "
            "ELSE coalesce(c.valid_to, now()) - a.shift END, "
            "created_at = c.created_at - a.shift, valid_from = c.valid_from - a.shift, "
            "status_changed_at = c.status_changed_at - a.shift, "
            "last_activity_at = c.last_activity_at - a.shift, "
            "stale_since = c.stale_since - a.shift "
            "FROM bench_aged a WHERE a.id = c.id"
        )
        for model, column, label in (
            (Interaction, "occurred_at", "interactions moved back"),
            (Response, "responded_at", "survey answers moved back"),
            (ActionLog, "created_at", "log entries moved back"),
        ):
            cursor.execute(
                f"UPDATE {model._meta.db_table} t SET {column} = t.{column} - a.shift "
                "FROM bench_aged a WHERE a.id = t.customer_id"
            )
            counts[label] = cursor.rowcount
        cursor.execute(
            f"UPDATE {Invoice._meta.db_table} i SET paid_amount = i.amount FROM bench_aged a, "
            f"{customers} c WHERE a.id = i.customer_id AND c.id = a.id "
            "AND c.status = 'terminated' AND i.paid_amount < i.amount"
        )
        counts["invoices settled"] = cursor.rowcount
        texts = "ARRAY[" + ", ".join(f"'{text}'" for text in COMMENTS) + "]"
        responses = Response._meta.db_table
        comments = f"ceil({COMMENT_SHARE} * (SELECT count(*) FROM {responses}))"
        cursor.execute(
            f"UPDATE {responses} SET comment = ({texts})[1 + id % {len(COMMENTS)}] "
            f"WHERE comment = '' AND id IN ({_sampled(responses, 'true', comments)})"
        )
        counts["survey comments written"] = cursor.rowcount
        cursor.execute("DROP TABLE bench_aged")
    with connection.cursor() as cursor:
        for model in (Customer, Interaction, Response, ActionLog, Invoice):
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    counts["seconds"] = time.monotonic() - started
    return counts


def rules_enable() -> tuple[object, list]:
    """Every rule on, with its default period, set by an administrator through the service."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from customers import roles
    from privacy import retention

    administrator, _ = get_user_model().objects.get_or_create(
        username="bench-retention-admin", defaults={"is_staff": True}
    )
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    administrator = get_user_model().objects.get(pk=administrator.pk)  # permissions afresh
    rules = [
        retention.retention_rule_update(
            kind=kind, days=retention.DEFAULT_DAYS[kind], enabled=True, actor=administrator
        )
        for kind in retention.Kind.values
    ]
    return administrator, rules


# --- The runs -------------------------------------------------------------------------------


def runs_in_progress_fail() -> int:
    """A run an interrupted benchmark left in progress blocks a new one: end it."""
    from crm.jobs.kinds import job_kind
    from crm.jobs.services import job_fail
    from privacy import retention
    from privacy.models import RetentionRun

    stale = list(RetentionRun.objects.filter(status__in=["queued", "running"]))
    for run in stale:
        job_fail(job_kind(retention.KIND), run=run, error="Left by an interrupted benchmark.")
    return len(stale)


def _in_hand(run):
    return run.chunks.filter(claimed_at__isnull=False, done_at__isnull=True)


def timed_run(args, *, dry_run: bool, administrator, customers: int, log_dir: Path) -> dict:
    """Request a run and wait for it; for a real run (unless --no-kill), kill its worker once
    --kill-after of the chunks are done, start another and send the resume sweep."""
    from django.db import transaction
    from django.utils import timezone

    from crm.celery import app
    from crm.jobs.tasks import jobs_resume
    from privacy import retention
    from privacy.models import RetentionRun

    label = "dry run" if dry_run else "real run"
    kill = not dry_run and not args.no_kill
    worker = Worker(args, log_dir / f"{label.replace(' ', '-')}-1.log", name="bench_retention")
    workers = [worker]
    facts = {"label": label, "killed": None}
    try:
        say(f"$ {shlex.join(worker.command)}")
        facts["worker_ready_s"] = worker.wait_ready(app)
        load_before = os.getloadavg()
        started = timezone.now()
        clock = time.monotonic()
        with transaction.atomic():  # the dispatch is sent on commit, as from the page
            run = retention.retention_run_request(dry_run=dry_run, actor=administrator)
        say(f"{label}: run {run.pk} requested, {run.chunks_total} chunks.")
        kill_at = max(1, round(run.chunks_total * args.kill_after))
        last_line = 0.0
        while True:
            run = RetentionRun.objects.get(pk=run.pk)
            if not run.in_progress:
                break
            elapsed = time.monotonic() - clock
            if elapsed > args.run_timeout:
                raise RuntimeError(f"The {label} did not finish within {args.run_timeout} s.")
            if not worker.alive():
                raise RuntimeError(f"The Celery worker died during the {label}:\n{worker.tail()}")
            if kill and facts["killed"] is None and run.chunks_done >= kill_at:
                in_hand = list(_in_hand(run).values_list("pk", "claimed_at"))
                if in_hand:
                    worker.kill()
                    facts["killed"] = _after_kill(args, run, in_hand, clock, log_dir, workers, app)
                    worker = workers[-1]
                    say(f"  sending {jobs_resume.name}")
                    # Not waited for here: it queues behind the chunks the new worker has yet
                    # to do, and the run can end only after it has run.
                    sweep = jobs_resume.delay()
                    facts["killed"]["resume_sent_s"] = time.monotonic() - clock
                    continue
            if elapsed - last_line >= 5:
                last_line = elapsed
                say(
                    f"  {elapsed:6.0f} s  {run.status:<7} chunks {run.chunks_done}/"
                    f"{run.chunks_total}  load {os.getloadavg()[0]:.2f}"
                )
            time.sleep(0.02 if kill and facts["killed"] is None else 0.25)
        if facts["killed"]:
            facts["resumed"] = sweep.get(timeout=120).get(retention.KIND, 0)
            say(f"  the sweep queued again: {facts['resumed']} chunks")
    finally:
        for started_worker in workers:
            started_worker.stop()
    if run.finished_at is None:
        run.finished_at = timezone.now()
    wall = (run.finished_at - started).total_seconds()
    stalled = 0.0
    if facts["killed"]:
        stalled = facts["killed"]["resume_sent_s"] - facts["killed"]["at_s"]
    facts.update(
        run=run,
        wall_s=wall,
        stalled_s=stalled,
        rate=customers / wall if wall > 0 else 0.0,
        rate_working=customers / (wall - stalled) if wall - stalled > 0 else 0.0,
        counts={counter: getattr(run, counter) for counter in retention.COUNTERS.values()},
        load_before=load_before,
        load_after=os.getloadavg(),
        worker_logs=[w.log_path for w in workers],
    )
    say(
        f"measure={label.replace(' ', '_')} run={run.pk} status={run.status} seconds={wall:.1f} "
        f"customers={customers} customers_per_second={facts['rate']:.0f} "
        f"chunks={run.chunks_total} "
        + " ".join(f"{name}={value}" for name, value in facts["counts"].items())
        + f" load={facts['load_after'][0]:.2f}"
    )
    return facts


def _after_kill(args, run, in_hand, clock, log_dir: Path, workers: list, app) -> dict:
    """After the kill: the run's state, a new worker, and the wait for the lease to run out."""
    from django.utils import timezone

    at = time.monotonic() - clock
    done_at_kill = run.chunks_done
    say(
        f"  {at:6.1f} s  worker killed with SIGKILL: {done_at_kill}/{run.chunks_total} chunks "
        f"done, {len(in_hand)} in hand"
    )
    worker = Worker(args, log_dir / f"real-run-{len(workers) + 1}.log", name="bench_retention")
    workers.append(worker)
    worker.wait_ready(app)
    lease_ends = max(claimed for _, claimed in in_hand) + timedelta(
        seconds=args.lease_seconds + 0.5
    )
    time.sleep(max(0.0, (lease_ends - timezone.now()).total_seconds()))
    return {
        "at_s": at,
        "chunks_done": done_at_kill,
        "in_hand": [pk for pk, _ in in_hand],
    }


# --- Checks ---------------------------------------------------------------------------------


def checks(real: dict) -> list[str]:
    """What must hold after the real run; the failures."""
    from django.db.models import Count

    from customers.models import ActionLog
    from privacy.erasure import ERASED_ACTION
    from privacy.models import ErasureRequest

    run = real["run"]
    failed = []
    if run.status != "done":
        failed.append(f"the real run ended {run.status}: {run.error}")
    chunks = run.chunks.all()
    ended = chunks.filter(done_at__isnull=False, failed=False).count()
    if not (run.chunks_done == run.chunks_total == ended == chunks.count()):
        failed.append(
            f"chunks: {run.chunks_done} counted done of {run.chunks_total}, {ended} of "
            f"{chunks.count()} ended without failing"
        )
    if run.chunks_failed:
        failed.append(f"{run.chunks_failed} chunks failed")
    killed = real["killed"]
    if killed:
        redone = chunks.filter(pk__in=killed["in_hand"])
        if any(c.done_at is None or c.attempts < 2 for c in redone):
            failed.append(
                "a chunk in hand at the kill was not taken up again: "
                + ", ".join(f"{c.pk} attempts {c.attempts} done {c.done_at}" for c in redone)
            )
    twice = (
        ErasureRequest.objects.values("customer_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    if twice:
        failed.append(f"{twice} customers have more than one erasure record")
    logged_twice = (
        ActionLog.objects.filter(action=ERASED_ACTION)
        .values("customer_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    if logged_twice:
        failed.append(f"{logged_twice} customers have more than one erasure log entry")
    recorded = ErasureRequest.objects.filter(
        status=ErasureRequest.Status.ERASED, reason__startswith="Retention:"
    ).count()
    counted = run.leads_erased + run.terminated_erased
    if recorded != counted:
        failed.append(f"{recorded} erasure records, but the run counts {counted} erasures")
    real["erasure_records"] = recorded
    return failed


# --- Main -----------------------------------------------------------------------------------


def _seconds(value) -> str:
    return "-" if value is None else f"{value:.1f} s"


def summary(args, facts: dict, failed: list[str]) -> list[str]:
    base, aged = facts["base"], facts.get("aged", {})
    lines = [
        "",
        "=" * 30 + " bench_retention summary " + "=" * 30,
        f"command          {facts['command']}",
        f"database         {args.database_url} ({'reused' if base['reused'] else 'new'}), "
        f"broker {args.broker_url}",
        f"base             {facts['customers']:,} customers; seed {_seconds(base['seed_s'])}, "
        f"identity keys {_seconds(base['keys_s'])}, surveys {_seconds(base.get('surveys_s'))}",
        "aged             "
        + ", ".join(f"{name} {value:,}" for name, value in aged.items() if name != "seconds")
        + f" ({_seconds(aged.get('seconds'))})",
        "rules            "
        + ", ".join(f"{rule.kind} {rule.days} d" for rule in facts.get("rules", [])),
        f"workers          celery prefork, concurrency {args.workers}; chunks of "
        f"{facts.get('chunk_size', 0):,} customers; lease {args.lease_seconds} s",
    ]
    for key in ("dry", "real"):
        run = facts.get(key)
        if not run:
            continue
        lines += [
            f"{run['label']:<16} run {run['run'].pk} {run['run'].status}: {run['wall_s']:.1f} s "
            f"wall (request to finished_at), {run['rate']:,.0f} customers/s, "
            f"{run['run'].chunks_total} chunks",
            "                 "
            + ", ".join(f"{name} {value:,}" for name, value in run["counts"].items()),
            f"                 load average before {run['load_before'][0]:.2f}, at the end "
            f"{run['load_after'][0]:.2f} {run['load_after'][1]:.2f} {run['load_after'][2]:.2f} "
            f"(1, 5, 15 min), {os.cpu_count()} cores",
        ]
        killed = run.get("killed")
        if killed:
            lines.append(
                f"                 worker killed at {killed['at_s']:.1f} s with "
                f"{killed['chunks_done']}/{run['run'].chunks_total} chunks done and "
                f"{len(killed['in_hand'])} in hand; sweep sent {run['stalled_s']:.1f} s later "
                f"(new worker + lease) and queued {run['resumed']} chunks again; without that wait "
                f"{run['rate_working']:,.0f} customers/s"
            )
    real = facts.get("real")
    if real and "erasure_records" in real:
        dry = facts["dry"]["counts"]
        differing = {n: (dry[n], v) for n, v in real["counts"].items() if v != dry[n]}
        lines.append(
            f"checks           {real['erasure_records']:,} erasure records, at most one per "
            f"customer; dry and real counts "
            + (
                f"differ (dry, real): {differing} (an erasure takes the person's texts and log "
                "with it, before their own rules come)"
                if differing
                else "equal"
            )
        )
    for line in failed:
        lines.append(f"FAILED           {line}")
    lines.append("=" * 84)
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    os.environ["CELERY_RESULT_BACKEND"] = args.broker_url
    os.environ["CRM_JOB_LEASE_SECONDS"] = str(args.lease_seconds)  # the workers inherit it
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")
    # As in production: no per-query bookkeeping in the benchmark or the worker.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from crm.celery import app
    from customers.models import Customer
    from privacy import retention

    if args.chunk_size:
        retention.CHUNK_CUSTOMERS = args.chunk_size
    facts: dict = {
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "chunk_size": retention.CHUNK_CUSTOMERS,
    }
    app.conf.task_always_eager = False
    facts["base"] = base_ready(args)
    facts["customers"] = Customer.objects.count()
    facts["aged"] = base_age()
    say("Aged: " + ", ".join(f"{k} {v:,.0f}" for k, v in facts["aged"].items()))
    administrator, facts["rules"] = rules_enable()
    if runs_in_progress_fail():
        say("Ended a retention run an interrupted benchmark had left in progress.")
    purged = queue_purge(app)
    say(f"{purged} messages purged from {args.broker_url}.")
    log_dir = Path(tempfile.mkdtemp(prefix="bench-retention-"))
    say(f"Worker logs in {log_dir}.")
    failed: list[str] = []
    try:
        for key, dry_run in (("dry", True), ("real", False)):
            facts[key] = timed_run(
                args,
                dry_run=dry_run,
                administrator=administrator,
                customers=facts["customers"],
                log_dir=log_dir,
            )
        failed = checks(facts["real"])
    except Exception as error:
        failed.append(f"{type(error).__name__}: {error}")
    finally:
        queue_purge(app)
    for line in summary(args, facts, failed):
        say(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
