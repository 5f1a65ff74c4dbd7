"""Speed of a full scoring run through a real Celery worker, and what the fraud score catches.

On a PostgreSQL database seeded with the product's own ``seed_demo`` (``--customers``, with 24
months of billing) and its identity keys, the benchmark plants fraud rings through the
product's services, makes the models ready (timed apart), then:

* full run: starts ``celery -A crm worker --pool prefork --concurrency W`` on a Redis db of its
  own, calls ``risk.tasks.scoring_run_start.delay()`` and waits for the run to finish: wall
  seconds from the call to the run's ``finished_at``, customers scored, customers per second;
* naive loop: ``risk.services.customer_rescore`` for a random sample of scored customers, one
  at a time (the customer read with the ORM, its rows read, its scores written): customers per
  second, and the ratio of the run's throughput to it; the first ``--rescores`` calls give the
  single-customer rescore median and p95;
* fraud: rings of ``--ring-size`` new customers with different names who share one e-mail or
  mobile and one street address, each starting 3 or more subscriptions in the last 30 days and
  leaving the first invoice unpaid past its due date; how many of them the top 1 % of fraud
  scores hold, and how many rings have at least one member caught.

Everything ends in a summary block; the exit status is non-zero when the run failed or scored
fewer customers than hold a product, or when a target given with --max-run-seconds,
--max-rescore-ms or --min-ring-recall is missed.

    python bench/bench_scoring.py --customers 1000000            # seeds, ~10 minutes before
    python bench/bench_scoring.py --customers 1000000 --reuse    # the same base again
"""

import argparse
import inspect
import os
import random
import re
import shlex
import statistics
import sys
import tempfile
import time
import unicodedata
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import database_exists, demo_base_seed  # noqa: E402
from bench.workers import Worker, manage, queue_purge  # noqa: E402

RING_REF = "bench-ring-"  # external_ref of planted ring members: bench-ring-<stamp>-<ring>-<member>
RING_PRODUCTS = ("DEV-PHONE-PRO", "DEV-PHONE", "DEV-TABLET", "MOB-UNLMAX", "MOB-UNL")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--customers", type=int, default=1_000_000, help="seed_demo size")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/crm_bench_scoring"
    )
    parser.add_argument(
        "--broker-url",
        default="redis://127.0.0.1:6379/5",
        help="a Redis db of the benchmark's own: its queue is purged before the run",
    )
    parser.add_argument("--workers", type=int, default=2, help="Celery worker concurrency")
    parser.add_argument("--naive-sample", type=int, default=10_000)
    parser.add_argument(
        "--rescores", type=int, default=200, help="naive-loop calls timed for median / p95"
    )
    parser.add_argument("--fraud-rings", type=int, default=20)
    parser.add_argument("--ring-size", type=int, default=5)
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=20_000,
        help="customers per chunk; other than the product's default, the run is planned here "
        "and launched with crm.jobs job_dispatch.delay(), as a web request does",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep an existing database seeded with the same --customers (and rings planted "
        "today) instead of recreating it",
    )
    parser.add_argument("--seed", type=int, default=42, help="seed_demo seed and sampling seed")
    parser.add_argument("--run-timeout", type=int, default=3600, help="seconds")
    parser.add_argument("--max-run-seconds", type=float, default=0.0, help="0: no target")
    parser.add_argument(
        "--max-rescore-ms", type=float, default=0.0, help="median target; 0: no target"
    )
    parser.add_argument(
        "--min-ring-recall",
        type=float,
        default=0.0,
        help="share of rings with a member in the top 1 %% of fraud scores; 0: no target",
    )
    args = parser.parse_args(argv)
    if args.customers < 1:
        parser.error("--customers must be at least 1")
    if args.workers < 1 or args.chunk_size < 1:
        parser.error("--workers and --chunk-size must be at least 1")
    if args.naive_sample < 1 or args.rescores < 1:
        parser.error("--naive-sample and --rescores must be at least 1")
    if args.fraud_rings < 0 or args.ring_size < 2:
        parser.error("--fraud-rings must be 0 or more and --ring-size at least 2")
    if not args.database_url.startswith("postgres"):
        parser.error("--database-url must be a postgres:// URL: this benchmark measures PostgreSQL")
    if not args.broker_url.startswith(("redis://", "rediss://")):
        parser.error("--broker-url must be a redis:// URL")
    return args


def say(text: str) -> None:
    print(text, flush=True)


# --- The base -------------------------------------------------------------------------------


def _seeded_customers() -> int:
    from customers.models import Customer

    return Customer.objects.exclude(external_ref__startswith=RING_REF).count()


def _keys_missing() -> bool:
    """Whether the first or last seeded party lacks identity keys (an interrupted rebuild)."""
    from customers.identity.models import IdentityKey
    from customers.models import Customer

    seeded = Customer.objects.exclude(external_ref__startswith=RING_REF)
    ends = [
        seeded.order_by("party_id").values_list("party_id", flat=True).first(),
        seeded.order_by("-party_id").values_list("party_id", flat=True).first(),
    ]
    return any(not IdentityKey.objects.filter(party_id=pk).exists() for pk in ends if pk)


def base_ready(args) -> dict:
    """The seeded base: reused when asked for and of the right size, else built afresh."""
    facts = {"reused": False, "seed_s": None, "keys_s": None, "analyze_s": None}
    if args.reuse and database_exists(args.database_url):
        manage(args, "migrate", "--no-input", "-v0")
        seeded = _seeded_customers()
        if seeded == args.customers:
            facts["reused"] = True
            if _keys_missing():
                facts["keys_s"] = manage(args, "rebuild_identity_keys", "--workers", "2")
            say(f"Reusing {seeded} seeded customers in {args.database_url}.")
            return facts
        say(f"--reuse: the database holds {seeded} seeded customers, not {args.customers}.")
    facts.update(demo_base_seed(args, label="scoring"))
    return facts


# --- Fraud rings ----------------------------------------------------------------------------


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", plain.lower()) or "x"


class _RingMaker:
    """Realistic people, addresses, e-mails and mobiles drawn from the seeded base."""

    def __init__(self, rng: random.Random, needed: int):
        from customers.models import ContactMedium, Party

        self.rng = rng
        highest = Party.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        probe = {rng.randint(1, highest) for _ in range(max(needed * 6, 200))}
        people = list(
            Party.objects.filter(pk__in=probe, kind=Party.Kind.INDIVIDUAL)
            .exclude(given_name="")
            .exclude(family_name="")
            .values_list("given_name", "family_name")
        )
        if not people:
            raise SystemExit("The seeded base holds no individuals to draw names from.")
        self.given = sorted({g for g, _ in people})
        self.family = sorted({f for _, f in people})
        self.addresses = list(
            ContactMedium.objects.filter(party_id__in=probe, kind=ContactMedium.Kind.POSTAL)
            .exclude(street="")
            .exclude(postcode="")
            .values_list("street", "city", "postcode", "country")
        )
        self.mobiles = list(
            ContactMedium.objects.filter(
                party_id__in=probe, kind=ContactMedium.Kind.MOBILE, value__startswith="+"
            ).values_list("value", flat=True)
        )
        domains = [
            e.rsplit("@", 1)[1]
            for e in ContactMedium.objects.filter(
                party_id__in=probe, kind=ContactMedium.Kind.EMAIL
            ).values_list("value", flat=True)
        ]
        self.domains = sorted(set(domains)) or ["example.com"]
        if not self.addresses or not self.mobiles:
            raise SystemExit("The seeded base holds no postal addresses or mobiles to draw from.")

    def name(self) -> tuple[str, str]:
        return self.rng.choice(self.given), self.rng.choice(self.family)

    def birth_date(self) -> date:
        return date(self.rng.randint(1960, 2003), self.rng.randint(1, 12), self.rng.randint(1, 28))

    def address(self) -> tuple[str, str, str, str]:
        """A real street of the base with another house number: nobody lives there yet."""
        street, city, postcode, country = self.rng.choice(self.addresses)
        number = str(self.rng.randint(150, 399))
        if re.search(r"\d+", street):
            street = re.sub(r"\d+", number, street, count=1)
        else:
            street = f"{number} {street}"
        return street, city, postcode, country

    def email(self, given: str, family: str) -> str:
        from customers.models import ContactMedium

        while True:
            value = (
                f"{_ascii(given)}.{_ascii(family)}{self.rng.randint(100, 9999)}"
                f"@{self.rng.choice(self.domains)}"
            )
            if not ContactMedium.objects.filter(value=value).exists():
                return value

    def mobile(self) -> str:
        """A valid mobile of a seeded country's numbering plan that no one holds."""
        from django.core.exceptions import ValidationError

        from customers.models import ContactMedium
        from customers.normalization import normalize_phone

        for _ in range(1000):
            base = self.rng.choice(self.mobiles)
            candidate = base[:-7] + f"{self.rng.randrange(10**7):07d}"
            try:
                value = normalize_phone(candidate)
            except ValidationError:
                continue
            if not ContactMedium.objects.filter(value=value).exists():
                return value
        raise SystemExit("Could not make a free, valid mobile number.")


def _create_member(actor, party_input, ref: str):
    """customer_create as an agent uses it: probable matches are looked at and set aside as
    different people (the fraudster's point); a certain duplicate would be refused."""
    from customers.identity.services.identity import DuplicateFound
    from customers.services import customer_create

    confirmed: set[int] = set()
    for _ in range(5):
        try:
            return customer_create(
                party=party_input,
                actor=actor,
                lead_source="web",
                confirmed_distinct=confirmed,
                external_ref=ref,
            )
        except DuplicateFound as found:
            if found.exact:
                raise
            confirmed |= {m.customer.pk for m in found.matches}
    raise SystemExit(f"Could not create ring member {ref}: matches keep appearing.")


def rings_plant(args, rng: random.Random) -> list[list[int]]:
    """Plant ``--fraud-rings`` rings through the product's services; their customer ids."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from customers.models import ContactMedium, Product
    from customers.services import (
        ContactMediumInput,
        PartyInput,
        customer_establish,
        invoice_record,
        subscription_add,
    )

    today = timezone.localdate()
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    actor = (
        get_user_model().objects.filter(is_staff=True, username__startswith="agent").first()
        or "bench_scoring"
    )
    products = list(Product.objects.filter(code__in=RING_PRODUCTS))
    if len(products) < 4:
        products = list(Product.objects.order_by("pk")[:8])
    maker = _RingMaker(rng, args.fraud_rings * args.ring_size)
    rings = []
    for r in range(args.fraud_rings):
        street, city, postcode, country = maker.address()
        by_email = r % 2 == 0
        names: list[tuple[str, str]] = []
        while len(names) < args.ring_size:  # different people, as far as the names go
            name = maker.name()
            if all(name[0] != g and name[1] != f for g, f in names):
                names.append(name)
        shared = maker.email(*names[0]) if by_email else maker.mobile()
        members = []
        for m, (given, family) in enumerate(names):
            own = maker.mobile() if by_email else maker.email(given, family)
            media = [
                ContactMediumInput(
                    kind=ContactMedium.Kind.EMAIL, value=shared if by_email else own
                ),
                ContactMediumInput(
                    kind=ContactMedium.Kind.MOBILE, value=own if by_email else shared
                ),
                ContactMediumInput(
                    kind=ContactMedium.Kind.POSTAL,
                    street=street,
                    city=city,
                    postcode=postcode,
                    country=country,
                ),
            ]
            party = PartyInput(
                given_name=given,
                family_name=family,
                birth_date=maker.birth_date(),
                contact_media=media,
            )
            customer = _create_member(actor, party, f"{RING_REF}{stamp}-{r:03d}-{m}")
            customer = customer_establish(customer=customer, actor=actor, note="online order")
            held = rng.sample(products, rng.choice((3, 3, 4)))
            starts = []
            for product in held:
                start = today - timedelta(days=rng.randint(16, 28))
                starts.append(start)
                subscription_add(
                    customer=customer,
                    product=product,
                    start_date=start,
                    actor=actor,
                    contract_term_months=24 if product.family == "device" else 0,
                )
            issued = min(starts)
            invoice_record(
                customer=customer,
                number=f"INV-{issued:%Y%m}-{customer.number}",
                period_start=issued,
                issued_on=issued,
                due_on=issued + timedelta(days=14),
                amount=sum((p.list_price for p in held), Decimal("0.00")),
                actor=actor,
            )
            members.append(customer.pk)
        rings.append(members)
    return rings


def rings_ready(args, rng: random.Random) -> tuple[list[list[int]], bool]:
    """Rings planted today with the same shape are reused (with --reuse); else new ones."""
    from django.utils import timezone

    from customers.models import Customer

    if not args.fraud_rings:
        return [], False
    if args.reuse:
        found: dict[str, dict[str, list[int]]] = {}
        today = timezone.localdate().strftime("%Y%m%d")
        for pk, ref in Customer.objects.filter(
            external_ref__startswith=f"{RING_REF}{today}"
        ).values_list("pk", "external_ref"):
            stamp, ring, _member = ref.removeprefix(RING_REF).split("-")
            found.setdefault(stamp, {}).setdefault(ring, []).append(pk)
        for stamp in sorted(found, reverse=True):
            rings = [sorted(ids) for _, ids in sorted(found[stamp].items())]
            if len(rings) == args.fraud_rings and all(len(r) == args.ring_size for r in rings):
                return rings, True
    return rings_plant(args, rng), False


# --- Measurements ---------------------------------------------------------------------------


def customers_holding_products(as_of: date) -> int:
    """Customers with a subscription active on the day: those a run must score."""
    from django.db.models import Q

    from customers.models import Subscription

    return (
        Subscription.objects.filter(start_date__lte=as_of)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=as_of))
        .values("customer_id")
        .distinct()
        .count()
    )


def runs_in_progress_fail() -> int:
    """Runs a killed earlier benchmark left queued or running block a new one: end them."""
    from risk.models import ScoringRun
    from risk.runs import scoring_run_fail

    stale = list(ScoringRun.objects.filter(status__in=["queued", "running"]))
    for run in stale:
        scoring_run_fail(run=run, error="Left in progress by an interrupted benchmark.")
    return len(stale)


def full_run(args, worker: Worker, expected: int) -> dict:
    from django.utils import timezone

    from crm.jobs.tasks import job_dispatch
    from risk import runs, tasks
    from risk.models import ScoringRun

    default_chunk = inspect.signature(runs.scoring_run_start).parameters["chunk_size"].default
    load_before = os.getloadavg()
    started = timezone.now()
    clock = time.monotonic()
    if args.chunk_size == default_chunk:
        path = "risk.tasks.scoring_run_start.delay()"
        result = tasks.scoring_run_start.delay()
        run_id = None
    else:
        path = f"scoring_run_start(chunk_size={args.chunk_size}) + job_dispatch.delay()"
        run = runs.scoring_run_start(chunk_size=args.chunk_size)
        result = job_dispatch.delay(runs.KIND, run.pk)
        run_id = run.pk
    say(f"Run requested with {path}.")
    last_line = 0.0
    run = None
    while True:
        if run_id is None:
            found = ScoringRun.objects.filter(requested_at__gte=started).order_by("pk").first()
            if found is not None:
                run_id = found.pk
            elif result.ready():
                if result.failed():
                    raise RuntimeError(f"scoring_run_start failed: {result.result!r}")
                raise RuntimeError("scoring_run_start did not start a run (one in progress?).")
        if run_id is not None:
            run = ScoringRun.objects.get(pk=run_id)
            if run.status in (ScoringRun.Status.DONE, ScoringRun.Status.FAILED):
                break
        elapsed = time.monotonic() - clock
        if not worker.alive():
            raise RuntimeError(f"The Celery worker died during the run:\n{worker.tail()}")
        if elapsed > args.run_timeout:
            raise RuntimeError(f"The run did not finish within {args.run_timeout} s.")
        if elapsed - last_line >= 5:
            last_line = elapsed
            if run is None:
                say(f"  {elapsed:6.0f} s  waiting for the run to be planned")
            else:
                rate = run.customers_scored / elapsed if elapsed else 0
                say(
                    f"  {elapsed:6.0f} s  {run.status:<7} chunks {run.chunks_done}/"
                    f"{run.chunks_total}  customers {run.customers_scored:,}/{expected:,}  "
                    f"{rate:,.0f}/s  load {os.getloadavg()[0]:.2f}"
                )
        time.sleep(0.25)
    wall = (run.finished_at - started).total_seconds()
    chunk_seconds = sorted(
        (c.done_at - c.claimed_at).total_seconds()
        for c in run.chunks.exclude(done_at=None).exclude(claimed_at=None)
    )
    figures = {
        "run_id": run.pk,
        "path": path,
        "status": run.status,
        "error": run.error,
        "wall_s": wall,
        "first_chunk_s": (run.started_at - started).total_seconds() if run.started_at else None,
        "scored": run.customers_scored,
        "rate": run.customers_scored / wall if wall > 0 else 0.0,
        "chunks": run.chunks_total,
        "chunks_failed": run.chunks_failed,
        "chunk_median_s": statistics.median(chunk_seconds) if chunk_seconds else 0.0,
        "chunk_max_s": chunk_seconds[-1] if chunk_seconds else 0.0,
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }
    say(
        f"measure=full_run run={run.pk} status={run.status} seconds={wall:.1f} "
        f"customers_scored={run.customers_scored} expected={expected} "
        f"customers_per_second={figures['rate']:.0f} chunks={run.chunks_total} "
        f"chunk_size={args.chunk_size} workers={args.workers} "
        f"chunk_median_s={figures['chunk_median_s']:.1f} chunk_max_s={figures['chunk_max_s']:.1f}"
    )
    return figures


def fraud_catch(rings: list[list[int]]) -> dict:
    from customers.models import LatestScores
    from risk.models import CustomerScore

    scored = LatestScores.objects.count()
    top_n = max(1, scored // 100)
    # Ties at the threshold are broken by customer id: planted rings hold the newest ids, so
    # a tie counts against them.
    top = list(
        LatestScores.objects.order_by("-fraud_risk", "customer_id").values_list(
            "customer_id", "fraud_risk"
        )[:top_n]
    )
    threshold = top[-1][1] if top else 0.0
    top_ids = {pk for pk, _ in top}
    planted = [pk for ring in rings for pk in ring]
    caught = [pk for pk in planted if pk in top_ids]
    ring_risks = dict(
        LatestScores.objects.filter(customer_id__in=planted).values_list(
            "customer_id", "fraud_risk"
        )
    )
    example = None
    if caught:
        latest = (
            CustomerScore.objects.filter(customer_id=caught[0])
            .order_by("-scored_at", "-id")
            .values_list("fraud_risk", "reasons")
            .first()
        )
        if latest:
            example = (caught[0], latest[0], latest[1].get("fraud", []))
    figures = {
        "scored": scored,
        "top_n": top_n,
        "threshold": threshold,
        "at_or_above_threshold": LatestScores.objects.filter(fraud_risk__gte=threshold).count(),
        "planted": len(planted),
        "planted_scored": len(ring_risks),
        "caught": len(caught),
        "rings": len(rings),
        "rings_caught": sum(1 for ring in rings if any(pk in top_ids for pk in ring)),
        "ring_risk_min": min(ring_risks.values(), default=0.0),
        "ring_risk_median": statistics.median(ring_risks.values()) if ring_risks else 0.0,
        "example": example,
    }
    say(
        f"measure=fraud_rings top_share=0.01 top_rows={top_n} threshold={threshold:.4f} "
        f"members_caught={len(caught)}/{len(planted)} "
        f"rings_caught={figures['rings_caught']}/{len(rings)} "
        f"ring_fraud_risk_min={figures['ring_risk_min']:.4f}"
    )
    if example:
        say(
            f"  reasons of caught customer {example[0]} (fraud risk {example[1]:.4f}): {example[2]}"
        )
    return figures


def naive_loop(args, rng: random.Random) -> dict:
    """The per-customer baseline: the customer read with the ORM, then the product's
    single-customer rescore (its rows read with the ORM, its scores saved), one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from customers.models import Customer, LatestScores
    from risk.services import customer_rescore

    ids = list(LatestScores.objects.values_list("customer_id", flat=True))
    sample = rng.sample(ids, min(args.naive_sample, len(ids)))
    timings, written = [], 0
    last_line = started = time.monotonic()
    for n, pk in enumerate(sample, 1):
        customer = Customer.objects.get(pk=pk)
        began = time.perf_counter()
        written += customer_rescore(customer=customer) is not None
        timings.append((time.perf_counter() - began) * 1000)
        if time.monotonic() - last_line >= 10:
            last_line = time.monotonic()
            rate = n / (last_line - started)
            say(f"  naive loop: {n:,}/{len(sample):,} customers  {rate:,.1f}/s")
    seconds = time.monotonic() - started
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        customer_rescore(customer=Customer.objects.get(pk=sample[0]))
    first = sorted(timings[: args.rescores])
    figures = {
        "customers": len(sample),
        "written": written,
        "seconds": seconds,
        "rate": len(sample) / seconds if seconds > 0 else 0.0,
        "rescores": len(first),
        "rescore_median_ms": statistics.median(first),
        "rescore_p95_ms": first[max(int(len(first) * 0.95) - 1, 0)],
        "rescore_max_ms": first[-1],
        "all_median_ms": statistics.median(timings),
        "queries_per_rescore": len(queries) - 1,  # less the customer read
    }
    say(
        f"measure=naive_loop customers={len(sample)} seconds={seconds:.1f} "
        f"customers_per_second={figures['rate']:.1f} scores_written={written}"
    )
    say(
        f"measure=rescore median_ms={figures['rescore_median_ms']:.1f} "
        f"p95_ms={figures['rescore_p95_ms']:.1f} max_ms={figures['rescore_max_ms']:.1f} "
        f"rescores={len(first)} queries={figures['queries_per_rescore']}"
    )
    return figures


# --- Main -----------------------------------------------------------------------------------


def _seconds(value) -> str:
    return "-" if value is None else f"{value:.1f} s"


def summary(args, facts: dict) -> tuple[list[str], list[str]]:
    """The summary block, and what failed (the run, or a target given on the command line)."""
    base, run = facts["base"], facts.get("run")
    naive, fraud = facts.get("naive"), facts.get("fraud")
    lines = [
        "",
        "=" * 30 + " bench_scoring summary " + "=" * 30,
        f"command          {facts['command']}",
        f"database         {args.database_url} ({'reused' if base['reused'] else 'new'}), "
        f"broker {args.broker_url}",
        f"base             {base['customers']:,} customers seeded ({facts['expected']:,} holding "
        f"a product on {facts['as_of']}); seed {_seconds(base['seed_s'])}, identity keys "
        f"{_seconds(base['keys_s'])}, vacuum {_seconds(base['analyze_s'])}",
        f"fraud rings      {facts['rings_count']} x {args.ring_size} "
        f"({'reused' if facts['rings_reused'] else 'planted'} in {facts['rings_s']:.1f} s)",
        f"models ready     {facts['models_s']:.1f} s  ({facts['models']})",
        f"settings         {os.environ['DJANGO_SETTINGS_MODULE']}, "
        f"DJANGO_DEBUG={os.environ['DJANGO_DEBUG']}",
        f"worker           celery prefork, concurrency {args.workers}, ready in "
        f"{facts['worker_ready_s']:.1f} s; {facts['purged']} messages purged",
    ]
    missed = []
    if run:
        lines += [
            f"full run         run {run['run_id']} {run['status']}: {run['wall_s']:.1f} s wall "
            f"(delay() to finished_at), {run['scored']:,} of {facts['expected']:,} customers, "
            f"{run['rate']:,.0f} customers/s",
            f"                 {run['chunks']} chunks of {args.chunk_size:,} "
            f"({run['chunks_failed']} failed), chunk median {run['chunk_median_s']:.1f} s, "
            f"max {run['chunk_max_s']:.1f} s; first chunk started after "
            f"{_seconds(run['first_chunk_s'])}; via {run['path']}",
            f"                 load average before {run['load_before'][0]:.2f}, after "
            f"{run['load_after'][0]:.2f} (1 min), {os.cpu_count()} cores",
        ]
        if run["status"] != "done":
            missed.append(f"the run ended {run['status']}: {run['error']}")
        if run["scored"] < facts["expected"]:
            missed.append(f"the run scored {run['scored']} of {facts['expected']} customers")
        if args.max_run_seconds and run["wall_s"] > args.max_run_seconds:
            missed.append(f"the run took {run['wall_s']:.1f} s, over {args.max_run_seconds} s")
    if naive:
        ratio = run["rate"] / naive["rate"] if run and naive["rate"] else 0.0
        facts["ratio"] = ratio
        lines += [
            f"naive loop       {naive['customers']:,} customers one by one in "
            f"{naive['seconds']:.1f} s: {naive['rate']:,.1f} customers/s",
            f"ratio            full run / naive loop = {ratio:,.1f}x",
            f"rescore          median {naive['rescore_median_ms']:.1f} ms, p95 "
            f"{naive['rescore_p95_ms']:.1f} ms, max {naive['rescore_max_ms']:.1f} ms over the "
            f"first {naive['rescores']} (median of all {naive['all_median_ms']:.1f} ms); "
            f"{naive['queries_per_rescore']} SQL queries each",
        ]
        if args.max_rescore_ms and naive["rescore_median_ms"] > args.max_rescore_ms:
            missed.append(
                f"the rescore median {naive['rescore_median_ms']:.1f} ms is over "
                f"{args.max_rescore_ms} ms"
            )
    if fraud:
        recall = fraud["rings_caught"] / fraud["rings"] if fraud["rings"] else 0.0
        lines += [
            f"fraud            top 1 % = {fraud['top_n']:,} of {fraud['scored']:,} scored "
            f"(fraud risk >= {fraud['threshold']:.4f}; {fraud['at_or_above_threshold']:,} "
            f"at or above it): {fraud['caught']} of {fraud['planted']} ring members caught "
            f"({fraud['planted_scored']} scored), {fraud['rings_caught']} of {fraud['rings']} "
            f"rings with a member caught; ring fraud risk min {fraud['ring_risk_min']:.4f}, "
            f"median {fraud['ring_risk_median']:.4f}",
        ]
        if fraud["example"]:
            pk, risk, reasons = fraud["example"]
            lines.append(f"                 customer {pk} ({risk:.4f}): {'; '.join(reasons)}")
        if args.min_ring_recall and fraud["rings"] and recall < args.min_ring_recall:
            missed.append(f"ring recall {recall:.2f} is below {args.min_ring_recall}")
    targets = []
    if run:
        targets.append(f"full run < 120 s: {'met' if run['wall_s'] < 120 else 'MISSED'}")
    if naive:
        targets.append(
            f"rescore < 50 ms: {'met' if naive['rescore_median_ms'] < 50 else 'MISSED'} (median)"
        )
    lines.append(f"issue targets    {'; '.join(targets)}")
    if "error" in facts:
        missed.append(facts["error"])
    for line in missed:
        lines.append(f"FAILED           {line}")
    lines.append("=" * 83)
    return lines, missed


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    os.environ["CELERY_RESULT_BACKEND"] = args.broker_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")
    # As in production: no per-query bookkeeping in the benchmark or the worker.
    os.environ.setdefault("DJANGO_DEBUG", "false")
    import django

    django.setup()
    from django.utils import timezone

    from crm.celery import app
    from customers.models import Customer
    from risk.models import ScoreKind
    from risk.services import active_model

    command = shlex.join([Path(sys.executable).name, *sys.argv])
    facts: dict = {"command": command}

    base = base_ready(args)
    base["customers"] = _seeded_customers()
    facts["base"] = base

    started = time.monotonic()
    rings, facts["rings_reused"] = rings_ready(args, random.Random(args.seed))
    facts["rings_s"] = time.monotonic() - started
    facts["rings_count"] = len(rings)
    say(f"Fraud rings: {len(rings)} x {args.ring_size} ({facts['rings_s']:.1f} s).")

    started = time.monotonic()
    models = {kind: active_model(kind) for kind in ScoreKind.values}
    facts["models_s"] = time.monotonic() - started
    facts["models"] = ", ".join(
        f"{kind} v{m.version}"
        + (" (expert weights)" if "expert" in str(m.metrics.get("source", "")) else "")
        for kind, m in models.items()
    )
    say(f"Models ready in {facts['models_s']:.1f} s: {facts['models']}.")

    facts["as_of"] = timezone.localdate()
    facts["expected"] = customers_holding_products(facts["as_of"])
    say(
        f"{Customer.objects.count():,} customers, {facts['expected']:,} holding a product: "
        "the run must score all of them."
    )
    if runs_in_progress_fail():
        say("Ended a scoring run an interrupted benchmark had left in progress.")

    facts["purged"] = queue_purge(app)
    log_path = Path(tempfile.mkdtemp(prefix="bench-scoring-")) / "worker.log"
    worker = Worker(args, log_path, name="bench_scoring")
    say(f"$ {shlex.join(worker.command)}  (log: {log_path})")
    try:
        facts["worker_ready_s"] = worker.wait_ready(app)
        say(f"Worker {worker.hostname} answered a ping after {facts['worker_ready_s']:.1f} s.")
        facts["run"] = full_run(args, worker, facts["expected"])
        if facts["run"]["status"] != "done":
            say(f"Worker log:\n{worker.tail()}")
    except Exception as error:
        facts.setdefault("worker_ready_s", 0.0)
        facts["error"] = f"{type(error).__name__}: {error}"
        say(f"Worker log:\n{worker.tail()}")
    finally:
        worker.stop()

    if "error" not in facts:
        facts["fraud"] = fraud_catch(rings)
        facts["naive"] = naive_loop(args, random.Random(args.seed + 1))
    lines, failed = summary(args, facts)
    for line in lines:
        say(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
