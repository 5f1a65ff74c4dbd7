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
    failed |= not search_measured(client, args.requests, args.warmups, args.seed)
    failed |= not csv_export_measured(bench_user())
    failed |= not home_measured(args.requests, args.warmups)
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


def search_measured(client, requests: int, warmups: int, seed: int, sample: int = 40) -> bool:
    """The header's suggestions over what staff type: mistyped names, customer numbers,
    e-mails and phone numbers (as an agent types them) of customers spread over the base. One
    line per kind of term and one over them all; the median is over every timed request."""
    import random
    import statistics

    import phonenumbers
    from django.conf import settings

    rng = random.Random(seed)
    home_region = settings.CRM_DEFAULT_PHONE_REGION
    international = phonenumbers.PhoneNumberFormat.INTERNATIONAL
    lowest = Customer.objects.order_by("id").values_list("id", flat=True).first()
    highest = Customer.objects.order_by("-id").values_list("id", flat=True).first()
    terms = {"name_typo": [], "number": [], "email": [], "phone": []}
    for _ in range(sample):
        customer = (
            Customer.objects.filter(id__gte=rng.randint(lowest, highest))
            .select_related("party")
            .order_by("id")
            .first()
        )
        name = customer.party.display_name
        # Two neighbouring letters swapped inside the last word: the commonest typing slip.
        at = name.rfind(" ") + 2
        if 0 < at < len(name) - 2:
            name = name[:at] + name[at + 1] + name[at] + name[at + 2 :]
        terms["name_typo"].append(name)
        terms["number"].append(customer.number)
        for contact in ContactMedium.objects.filter(party_id=customer.party_id):
            if contact.kind == ContactMedium.Kind.EMAIL:
                terms["email"].append(contact.value)
            elif contact.kind in (ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE):
                # As an agent types it: national at home, international from abroad.
                number = phonenumbers.parse(contact.value)
                at_home = phonenumbers.region_code_for_number(number) == home_region
                typed = phonenumbers.PhoneNumberFormat.NATIONAL if at_home else international
                terms["phone"].append(phonenumbers.format_number(number, typed))
    everything, statuses = [], set()
    for kind, sample_terms in terms.items():
        urls = ["/search/suggestions/?" + urlencode({"q": term}) for term in sample_terms]
        if not urls:
            continue
        timings = []
        for url in urls[:warmups]:
            statuses.add(client.get(url).status_code)
        for _ in range(max(1, requests // max(1, len(urls)))):
            for url in urls:
                started = time.perf_counter()
                statuses.add(client.get(url).status_code)
                timings.append((time.perf_counter() - started) * 1000)
        everything += timings
        print(
            f"page=global_search_{kind} terms={len(urls)} "
            f"median_ms={statistics.median(timings):.1f} max_ms={max(timings):.1f}",
            flush=True,
        )
    print(
        f"page=global_search median_ms={statistics.median(everything):.1f} "
        f"p95_ms={statistics.quantiles(everything, n=100, method='inclusive')[94]:.1f} "
        f"status={','.join(str(code) for code in sorted(statuses))}",
        flush=True,
    )
    return statuses == {200}


def csv_export_measured(user) -> bool:
    """A CSV export of the whole customer list as the background job writes it (keyset pages,
    chunk after chunk, to a file under MEDIA_ROOT/exports): rows, time, rows per second and
    the peak memory of this process (ru_maxrss: the most it ever held, seeding included)."""
    import resource

    from django.http import QueryDict

    from crm.csv import csv_lines
    from crm.exports import services as exports
    from crm.exports.sources import export_source
    from crm.exports.writers import export_values
    from crm.jobs.kinds import job_kind
    from crm.jobs.services import job_run_here

    source = export_source("customers")
    started = time.perf_counter()
    run = exports.export_start(source=source, params=QueryDict(""), user=user, format="csv")
    if isinstance(run, exports.ExportStream):
        for _ in csv_lines(export_values(run.query)):
            pass
        rows, ok = run.rows, True
    else:
        job_run_here(job_kind(source.kind_name), run=run)
        run.refresh_from_db()
        rows, ok = run.rows_done, run.status == "done"
        exports.export_file_path(run).unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"page=export_csv rows={rows} seconds={seconds:.1f} rows_per_s={rows / seconds:.0f} "
        f"peak_rss_mb={peak_mb:.0f}",
        flush=True,
    )
    return ok


def home_measured(requests: int, warmups: int) -> bool:
    """The home page as the manager and the agent who manage the most customers (their own
    work lists are the longest), after one recount of its tallies, which is timed too."""
    from django.contrib.auth.models import Group

    from customers import roles
    from home.models import TallyRecount
    from home.tallies import business_tallies_recount

    if not TallyRecount.objects.exists():
        started = time.perf_counter()
        business_tallies_recount()
        print(f"page=home_tallies_recount seconds={time.perf_counter() - started:.1f}", flush=True)
    ok = True
    for role in (roles.MANAGER, roles.AGENT):
        members = Group.objects.get(name=role).user_set.values("pk")
        user = (
            get_user_model()
            .objects.filter(pk__in=members, is_active=True)
            .annotate(book=Count("managed_customers"))
            .order_by("-book", "pk")
            .first()
        )
        if user is None:
            print(f"page=home_{role} skipped: nobody in the role", flush=True)
            continue
        client = Client()
        client.force_login(user)
        _, line, page_ok = measure(client, f"home_{role}", "/", requests, warmups)
        print(line, flush=True)
        ok &= page_ok
    return ok


if __name__ == "__main__":
    sys.exit(main())
