"""Security probe: the hostile cases a security review tries, against a running server.

On a fresh PostgreSQL database (``--database-url``) it seeds two partners with tokens in every
state, their customers, parties (TMF632), interactions (TMF683) and the hubs of each API, a staff
user per role and a survey with invitations, then
starts gunicorn (``crm.settings.production``, DEBUG off, on a free local port, with the
repository's gunicorn.conf.py; requests say they came through an https proxy, as production
expects) and a real Celery worker on Redis db 13 (``--broker-url``), and tries, over HTTP, on
the three partner APIs (TMF629 customers, TMF632 parties, TMF683 interactions, each with its hub):

    partner isolation          partner B on every operation of partner A's resources
    token states and headers   missing, malformed, revoked, expired, under-scoped tokens
    hostile API inputs         surrogates, NULs, long strings, wrong types, odd JSON and queries
    schemathesis               each API's OpenAPI document, with .ci/schemathesis' options/hook
    staff roles/CSRF/redirects every staff route: anonymous, wrong role, no token, ?next=
    XSS renders                markup and javascript: URLs through the APIs and staff forms
    tampered survey links      altered, swapped, forged, expired and reused links
    hostile CSV imports        formulas, NULs, encodings, huge files, through the worker
    worker kill -9             a scoring run's worker killed mid-chunk, finished by another

Production's second factor is off for the staff users (the probe signs in with a password);
hub callbacks may name loopback addresses (they go to a closed port). Each family counts the
cases it tried and its failures; the summary gives the worst of each, and the exit status is
non-zero when any case failed. What gunicorn itself refuses before Django (bytes HTTP forbids in
a header, a header or a request line over its limits) is a note, not a failure. ``--quick``
(small sizes and bodies, a 3 MB CSV, 3 schemathesis examples per operation without the
coverage phase, the three APIs fuzzed at once) keeps the whole probe around a minute.

    python bench/bench_security.py                     # make bench-security
    python bench/bench_security.py --quick             # as make bench-ci runs it
"""

import argparse
import os
import secrets
import shlex
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database  # noqa: E402
from bench.security.harness import Family, Server, free_port, wait_until  # noqa: E402

FAMILIES = (
    "isolation", "tokens", "hostile", "schemathesis", "staff", "xss", "survey", "csv", "worker",
)  # fmt: skip


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/crm_bench_security"
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--quick", action="store_true", help="a small run for CI (about 1 min)")
    parser.add_argument("--customers", type=int, help="partner A's customers (default 20)")
    parser.add_argument("--invitations", type=int, help="survey invitations (default 8)")
    parser.add_argument("--schemathesis-examples", type=int, help="per operation (default 100)")
    parser.add_argument("--csv-mb", type=int, help="size of the large CSV file (default 50)")
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument(
        "--only", default=",".join(FAMILIES), help=f"families to run, of {','.join(FAMILIES)}"
    )
    args = parser.parse_args(argv)
    sizes = {"customers": (3, 20), "invitations": (3, 8), "schemathesis_examples": (3, 100),
             "csv_mb": (3, 50)}  # fmt: skip
    for name, (quick, full) in sizes.items():
        if getattr(args, name) is None:
            setattr(args, name, quick if args.quick else full)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(args.only) - set(FAMILIES)
    if unknown:
        parser.error(f"unknown families: {', '.join(sorted(unknown))}")
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url must be a postgres:// URL: the probe measures PostgreSQL")
    return args


def say(text: str) -> None:
    print(text, flush=True)


def production_environment(args, port: int, media: Path) -> None:
    """Production settings with generated secrets, for this process, the server and workers."""
    from cryptography.fernet import Fernet

    os.environ.update(
        DATABASE_URL=fresh_database(args.database_url, label="security"),
        CELERY_BROKER_URL=args.broker_url,
        CELERY_RESULT_BACKEND=args.broker_url,
        CACHE_URL=args.broker_url,
        DJANGO_SETTINGS_MODULE="crm.settings.production",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        CRM_SECRETS_KEY=Fernet.generate_key().decode(),
        CRM_LOOKUP_KEY=secrets.token_urlsafe(32),
        EMAIL_URL="dummymail://",
        CRM_PUBLIC_URL=f"https://127.0.0.1:{port}",
        CRM_MEDIA_ROOT=str(media),
        CRM_REQUIRE_SECOND_FACTOR="false",
        CRM_HUB_ALLOW_PRIVATE_CALLBACKS="true",
    )
    for name in ("CRM_REQUIRE_SERVICES", "CRM_REQUIRE_BROWSER"):
        os.environ.pop(name, None)


def _broker_emptied(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _worker_ready(app) -> bool:
    return bool(wait_until(lambda: app.control.ping(timeout=1.0), 120, 0.5))


def run_families(args, port: int, seed, workers_dir: Path, main_workers) -> list[Family]:
    from bench.security import api, csv_imports, fuzz, staff, survey_links

    steps = {
        "isolation": lambda: api.partner_isolation(port, seed),
        "tokens": lambda: api.token_states(port, seed),
        "hostile": lambda: api.hostile_inputs(
            # Over the API's 64 KB body limit either way; quick mode sends a few hundred KB.
            port,
            seed,
            big_bytes=200_000 if args.quick else 3_000_000,
            stride=3 if args.quick else 1,
        ),
        "schemathesis": lambda: fuzz.schemathesis_run(
            port,
            seed,
            max_examples=args.schemathesis_examples,
            parallel=args.quick,
            # The coverage phase (some 20 s of boundary values, whatever --max-examples says)
            # is .ci/schemathesis' own job in CI; the quick probe fuzzes and follows links.
            phases="examples,fuzzing,stateful" if args.quick else None,
        ),
        "staff": lambda: staff.staff_access(port, seed),
        "xss": lambda: staff.xss_renders(port, seed),
        "survey": lambda: survey_links.survey_links(port, seed),
        "csv": lambda: csv_imports.csv_imports(port, seed, big_bytes=args.csv_mb * 1_000_000),
        "worker": lambda: _worker_family(workers_dir, main_workers),
    }
    results = []
    for name in args.only:
        started = time.monotonic()
        say(f"--- {name}")
        try:
            family = steps[name]()
        except Exception as error:
            family = Family(name)
            family.error(f"{type(error).__name__}: {error}")
            traceback.print_exc()
        say(
            f"    {family.tried} cases, {len(family.failures)} failures "
            f"({time.monotonic() - started:.1f} s)"
        )
        results.append(family)
    return results


def _roles_after_migrate() -> Family:
    """migrate, as a deployment runs it (DEBUG off), must leave the staff role groups in place;
    when it does not, they are synced here so that the families can go on."""
    from django.contrib.auth.models import Group

    from customers import roles

    family = Family("migrate (DEBUG off)")
    missing = set(roles.ROLE_PERMISSIONS) - set(Group.objects.values_list("name", flat=True))
    family.case(
        not missing,
        f"migrate left no role groups ({', '.join(sorted(missing))}): roles_sync never ran",
        severity=2,
    )
    roles.roles_sync()
    return family


def _worker_family(workers_dir: Path, main_workers) -> Family:
    """The kill test wants the broker to itself: the probe's worker is stopped first."""
    from bench.security.worker_kill import worker_kill
    from tests.crm.jobs.conftest import Workers, _drop_lost_deliveries

    main_workers.stop_all()
    workers_dir.mkdir(exist_ok=True)
    workers = Workers(workers_dir)
    try:
        return worker_kill(workers)
    finally:
        workers.stop_all()
        _drop_lost_deliveries()


def summary(families: list[Family], facts: dict) -> list[str]:
    lines = ["=" * 100, "Security probe", "-" * 100]
    lines.append(f"{'family':28} {'cases tried':>11} {'failures':>9}  worst finding")
    for family in families:
        worst = family.worst.replace("\n", " ")
        lines.append(f"{family.name:28} {family.tried:11} {len(family.failures):9}  {worst[:160]}")
    total = sum(f.tried for f in families)
    failed = sum(len(f.failures) for f in families)
    lines.append(f"{'total':28} {total:11} {failed:9}")
    lines.append("-" * 100)
    for key, value in facts.items():
        lines.append(f"{key:16} {value}")
    lines.append("=" * 100)
    return lines


def main(argv=None) -> int:
    args = parse_args(argv)
    port = free_port()
    work = Path(tempfile.mkdtemp(prefix="bench-security-"))
    production_environment(args, port, work / "media")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from bench.security.seed import seed_everything
    from crm.celery import app
    from tests.crm.jobs.conftest import Workers

    facts = {"command": shlex.join([Path(sys.executable).name, *sys.argv])}
    call_command("migrate", "--no-input", verbosity=0)
    migrated = _roles_after_migrate()
    app.conf.task_always_eager = False
    _broker_emptied(args.broker_url)
    seed = seed_everything(customers=args.customers, invitations=args.invitations)
    main_workers = Workers(work)
    main_workers.start()
    if not _worker_ready(app):
        say(main_workers.output())
        return 1
    connections.close_all()
    server = Server(args.server_workers, work / "gunicorn.log", port)
    say(f"$ {shlex.join(server.command)}  (logs in {work})")
    started = time.monotonic()
    try:
        server.wait_ready()
        families = [migrated, *run_families(args, port, seed, work / "kill", main_workers)]
    finally:
        server.stop()
        main_workers.stop_all()
        _broker_emptied(args.broker_url)
    tracebacks = server.tracebacks()
    facts.update(
        {
            "server": f"gunicorn crm.wsgi, {args.server_workers} workers, crm.settings.production",
            "database": os.environ["DATABASE_URL"],
            "broker": args.broker_url,
            "seconds": f"{time.monotonic() - started:.1f}",
            "server errors": f"{len(tracebacks)} tracebacks in {work / 'gunicorn.log'}",
            "load average": Path("/proc/loadavg").read_text().strip(),
        }
    )
    for line in sorted(set(tracebacks))[:10]:
        facts.setdefault("traceback", line)
    for line in summary(families, facts):
        say(line)
    for family in families:
        for severity, description in family.failures:
            say(f"FAILED [{family.name}] (severity {severity}) {description[:300]}")
        for note in family.notes:
            say(f"note   [{family.name}] {note[:300]}")
    return 1 if any(family.failures for family in families) else 0


if __name__ == "__main__":
    raise SystemExit(main())
