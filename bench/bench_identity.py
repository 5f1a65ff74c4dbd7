"""Speed of duplicate detection on a large base: candidate search, full scan, import.

Seeds the database (DATABASE_URL, PostgreSQL) up to ``--customers`` with seed_demo, builds the
identity keys where they are missing, then prints one line per measurement:

    measure=candidate_search median_ms=… p95_ms=… searches=…
    measure=full_scan parties=… seconds=… pairs_compared=… pairs_found=… workers=…
    measure=import rows=… seconds=… rows_per_second=… created=… failed=… duplicates_queued=…
        status=… workers=…

The scan and the import run their chunks in ``--workers`` processes, as that many Celery
workers would; the import's time runs from the upload to its last step, which pairs the rows of
the file with each other.
"""

import argparse
import csv
import io
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from crm.jobs.kinds import job_kind  # noqa: E402
from crm.jobs.services import job_chunk_run, job_chunks_pending  # noqa: E402
from customers.identity.models import DuplicateCandidate, DuplicateScan, IdentityKey  # noqa: E402
from customers.identity.services.duplicate_scans import (  # noqa: E402
    duplicate_scan_chunk_run,
    duplicate_scan_pending_chunks,
    duplicate_scan_start,
)
from customers.identity.services.identity import (  # noqa: E402
    candidates_for_profile,
    party_profiles,
)
from customers.identity.services.imports import KIND as IMPORT_KIND  # noqa: E402
from customers.identity.services.imports import import_job_create  # noqa: E402
from customers.models import Customer, Party  # noqa: E402


def base_ready(customers: int, seed: int, workers: int) -> None:
    existing = Customer.objects.count()
    if existing < customers:
        print(f"Seeding {customers - existing} customers…", flush=True)
        call_command("seed_demo", customers=customers - existing, seed=seed + existing)
    keyed = IdentityKey.objects.values("party_id").distinct().count() if existing else 0
    parties = Party.objects.count()
    if keyed < parties * 0.99:
        print(f"Building identity keys for {parties} parties…", flush=True)
        started = time.monotonic()
        call_command("rebuild_identity_keys", workers=workers, verbosity=0)
        print(f"Keys built in {time.monotonic() - started:.0f} s.", flush=True)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {IdentityKey._meta.db_table}")


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def measure_search(searches: int, rng: random.Random) -> str:
    """Search for existing people as a new lead would describe them: one typo in the name."""
    highest = Party.objects.order_by("-id").values_list("id", flat=True).first()
    ids = [rng.randint(1, highest) for _ in range(searches * 2)]
    profiles = list(party_profiles(ids).values())[:searches]
    timings = []
    for profile in profiles:
        probe = type(profile).build(
            given_name=profile.given,
            family_name=_typo(profile.family, rng),
            birth_date=profile.birth_date,
            emails=profile.emails,
            phones=profile.phones,
            street=profile.street,
            city=profile.city,
            postcode=profile.postcode,
        )
        started = time.perf_counter()
        candidates_for_profile(probe)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return (
        f"measure=candidate_search median_ms={statistics.median(timings):.1f} "
        f"p95_ms={timings[int(len(timings) * 0.95) - 1]:.1f} searches={len(timings)}"
    )


def _run_chunks(chunk_ids: list[int]) -> int:
    connections.close_all()  # a forked process must open its own connection
    return sum(duplicate_scan_chunk_run(chunk_id=chunk_id) for chunk_id in chunk_ids)


def measure_scan(workers: int, chunk_size: int) -> str:
    DuplicateScan.objects.filter(status__in=["queued", "running"]).update(status="failed")
    DuplicateCandidate.objects.filter(source=DuplicateCandidate.Source.SCAN).delete()
    started = time.perf_counter()
    scan = duplicate_scan_start(chunk_size=chunk_size)
    pending = duplicate_scan_pending_chunks(scan=scan)
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_run_chunks, [pending[i::workers] for i in range(workers)])
    seconds = time.perf_counter() - started
    scan.refresh_from_db()
    return (
        f"measure=full_scan parties={Party.objects.count()} seconds={seconds:.0f} "
        f"pairs_compared={scan.pairs_compared} pairs_found={scan.pairs_found} "
        f"status={scan.status} workers={workers}"
    )


def _import_file(rows: int, rng: random.Random) -> bytes:
    """New people drawn from the base's own names and places (so blocks are as selective as in
    real data), one in twenty a re-typed existing customer, as a migration file would be."""
    highest = Party.objects.order_by("-id").values_list("id", flat=True).first()
    sample = list(
        party_profiles({rng.randint(1, highest) for _ in range(min(rows, 20_000))}).values()
    )
    given = [p.given for p in sample if p.given]
    family = [p.family for p in sample if p.family]
    places = [(p.street, p.postcode, p.city) for p in sample if p.street]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "external_ref",
            "given_name",
            "family_name",
            "birth_date",
            "email",
            "street",
            "postcode",
            "city",
        ]
    )
    stamp = int(time.time())
    for n in range(rows):
        if n % 20 == 0:
            p = rng.choice(sample)
            writer.writerow(
                [
                    f"bench-{stamp}-{n}",
                    p.given,
                    _typo(p.family, rng),
                    p.birth_date.isoformat() if p.birth_date else "",
                    "",
                    p.street,
                    p.postcode,
                    p.city,
                ]
            )
            continue
        first, last = rng.choice(given), rng.choice(family)
        street, postcode, city = rng.choice(places)
        writer.writerow(
            [
                f"bench-{stamp}-{n}",
                first,
                last,
                f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                f"{first.replace(' ', '.')}.{last.replace(' ', '.')}.{n}@bench.example",
                f"{rng.randint(1, 300)} {street.split(' ', 1)[-1]}",
                postcode,
                city,
            ]
        )
    return out.getvalue().encode()


def _run_import_chunks(chunk_ids: list[int]) -> None:
    connections.close_all()  # a forked process must open its own connection
    for chunk_id in chunk_ids:
        job_chunk_run(job_kind(IMPORT_KIND), chunk_id=chunk_id)


def measure_import(rows: int, rng: random.Random, workers: int) -> str:
    """From the upload to the last step: the chunks of a customer file in ``workers``
    processes, as that many Celery workers take them."""
    raw = _import_file(rows, rng)
    started = time.perf_counter()
    job = import_job_create(kind="customers", file=ContentFile(raw, name="bench.csv"), actor=None)
    pending = job_chunks_pending(job_kind(IMPORT_KIND), run_id=job.pk)
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_run_import_chunks, [pending[i::workers] for i in range(workers)])
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    return (
        f"measure=import rows={rows} seconds={seconds:.1f} "
        f"rows_per_second={rows / seconds:.0f} created={job.rows_created} "
        f"failed={job.rows_failed} duplicates_queued={job.duplicates_queued} "
        f"status={job.status} workers={workers}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--measure",
        default="search,scan,import",
        help="which measurements to take, comma-separated (default: all three)",
    )
    parser.add_argument("--allow-sqlite", action="store_true")
    args = parser.parse_args(argv)
    if connection.vendor != "postgresql" and not args.allow_sqlite:
        parser.error("This benchmark measures PostgreSQL: set DATABASE_URL=postgres://…")
    wanted = set(args.measure.split(","))
    if not wanted <= {"search", "scan", "import"}:
        parser.error("--measure takes search, scan and/or import")
    rng = random.Random(args.seed)
    base_ready(args.customers, args.seed, args.workers)
    print(f"database={connection.vendor} customers={Customer.objects.count()}", flush=True)
    if "search" in wanted:
        print(measure_search(args.searches, rng), flush=True)
    if "scan" in wanted:
        print(measure_scan(args.workers, args.chunk_size), flush=True)
    if "import" in wanted:
        print(measure_import(args.import_rows, rng, args.workers), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
