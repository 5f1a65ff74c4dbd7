"""Response times of the staff pages on a large customer base.

Seeds the database up to ``--customers`` with ``seed_demo`` (a later run reuses the base), then
requests each page through Django's test client as a superuser and prints one line per page:

    page=<name> median_ms=… p95_ms=… queries=… status=200

Exits non-zero when any response is not 200. Runs on PostgreSQL (``DATABASE_URL``); SQLite only
with ``--allow-sqlite``, for a tiny smoke run.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from bench.pages import measure  # noqa: E402
from customers.models import ContactMedium, Customer, Interaction  # noqa: E402

BENCH_USER = "bench-admin"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30, help="Timed requests per page.")
    parser.add_argument("--warmups", type=int, default=3, help="Untimed requests per page.")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--allow-sqlite", action="store_true", help="Run on SQLite (for a tiny smoke run)."
    )
    args = parser.parse_args(argv)
    if args.customers < 1 or args.requests < 1 or args.warmups < 0:
        parser.error("--customers and --requests must be positive, --warmups not negative.")
    if connection.vendor != "postgresql" and not args.allow_sqlite:
        parser.error(
            "This benchmark measures PostgreSQL: set DATABASE_URL=postgres://… "
            "(or pass --allow-sqlite for a tiny smoke run)."
        )

    base_ready(args.customers, args.seed)
    client = Client()
    client.force_login(bench_user())
    pages = page_urls()
    print(
        f"database={connection.vendor} customers={Customer.objects.count()} "
        f"requests={args.requests} warmups={args.warmups}"
    )
    failed = False
    for name, url in pages:
        _, line, ok = measure(client, name, url, args.requests, args.warmups)
        print(line, flush=True)
        failed |= not ok
    return 1 if failed else 0


def base_ready(customers: int, seed: int) -> None:
    existing = Customer.objects.count()
    if existing >= customers:
        return
    missing = customers - existing
    print(f"Seeding {missing} customers (the base has {existing})…", flush=True)
    started = time.monotonic()
    # A new seed per top-up, so added customers are not copies of the ones already there.
    call_command("seed_demo", customers=missing, seed=seed + existing)
    print(f"Seeded in {time.monotonic() - started:.0f} s.", flush=True)
    if connection.vendor == "postgresql":
        # A database in service has been vacuumed: fresh rows still lack hint bits and the
        # visibility map, which would make the first requests slower than steady state.
        started = time.monotonic()
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names():
                if table.startswith("customers_"):
                    cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
        print(f"Vacuumed in {time.monotonic() - started:.0f} s.", flush=True)


def bench_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def page_urls() -> list[tuple[str, str]]:
    from customers.selectors import customer_list_cursor

    lowest = Customer.objects.order_by("id").values_list("id", flat=True).first()
    highest = Customer.objects.order_by("-id").values_list("id", flat=True).first()
    middle = Customer.objects.filter(id__gte=(lowest + highest) // 2).order_by("id").first()
    email = (
        ContactMedium.objects.filter(
            party_id=middle.party_id, kind=ContactMedium.Kind.EMAIL, is_preferred=True
        )
        .values_list("value", flat=True)
        .first()
    )
    return [
        ("list", "/customers/"),
        (
            "filtered",
            "/customers/?" + urlencode({"status": "suspended", "segment": "small_business"}),
        ),
        ("search_email", "/customers/?" + urlencode({"q": email})),
        ("deep_page", "/customers/?" + urlencode({"after": customer_list_cursor(middle)})),
        ("customer_360", f"/customers/{rich_customer(middle.id).number}/"),
        *score_page_urls(),
    ]


def score_page_urls() -> list[tuple[str, str]]:
    """The pages on scores, once the base has been scored (``make bench-scoring`` scores it)."""
    from customers.models import LatestScores

    if not LatestScores.objects.exists():
        print("The base is not scored: the score pages are left out.", flush=True)
        return []
    return [
        ("sorted_by_churn", "/customers/?" + urlencode({"sort": "churn"})),
        (
            "top_value_high_churn",
            "/customers/?" + urlencode({"value_segment": "top", "churn_at_least": "0.3"}),
        ),
        ("retention_list", "/risk/retention/"),
        ("risk_overview", "/risk/"),
    ]


def rich_customer(around: int) -> Customer:
    """A customer near ``around`` with a long history: the page's worst realistic case."""
    busiest = (
        Interaction.objects.filter(customer_id__gte=around, customer_id__lt=around + 20_000)
        .values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        return Customer.objects.get(pk=around)
    return Customer.objects.get(pk=busiest["customer_id"])


if __name__ == "__main__":
    sys.exit(main())
