"""Response times of the satisfaction results page over a million survey answers, on PostgreSQL.

Recreates the database (``--reuse`` keeps one already loaded with as many answers), seeds
``--customers`` customers with ``seed_demo`` (default: one per 20 answers), creates five surveys
through the service (relationship NPS, support CSAT, effort CES, on-boarding CSAT, exit NPS)
and loads ``--responses`` answers with COPY, each with its invitation, plus the invitations
nobody answered (``--response-rate``), spread over 24 months: more answers lately, scores that
depend on the touch point, the segment and the month. Then it recounts the daily tallies with
``services.results_rebuild()`` (timed), runs VACUUM ANALYZE, and requests each page through
Django's test client as a superuser, one line per page:

    page=<name> median_ms=… p95_ms=… queries=… status=200

and a summary with the command that produced it. ``--max-median-ms 300`` turns the target of
the results pages into the exit code.

    python bench/bench_satisfaction.py                       # 1,000,000 answers
    python bench/bench_satisfaction.py --reuse               # the same database again
    python bench/bench_satisfaction.py --responses 5000 --requests 3 --warmups 1   # smoke run
"""

import argparse
import os
import shlex
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database  # noqa: E402
from bench.pages import measure  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench_satisfaction"
BENCH_USER = "bench-admin"
MONTHS = 24
CHUNK = 200_000

# name, kind, trigger, touch points (with weights), share of the invitations
SURVEYS = [
    ("Relationship NPS", "nps", "periodic", {"relationship": 1}, 0.34),
    (
        "Support CSAT",
        "csat",
        "touch_point",
        {"support": 5, "complaint": 2, "billing": 3, "inquiry": 3},
        0.30,
    ),
    ("Effort CES", "ces", "touch_point", {"support": 4, "order": 3, "billing": 2}, 0.20),
    ("On-boarding CSAT", "csat", "onboarding", {"onboarding": 1}, 0.10),
    ("Exit NPS", "nps", "exit", {"exit": 1}, 0.06),
]
# Score weights per kind, for a content and for an unhappy customer.
SCORES = {
    "nps": (
        [0.5, 0.5, 0.5, 1, 1, 2, 4, 8, 18, 30, 34],
        [8, 6, 8, 10, 10, 14, 14, 12, 8, 6, 4],
    ),
    "csat": ([2, 4, 10, 40, 44], [25, 25, 25, 15, 10]),
    "ces": ([1, 2, 4, 8, 20, 35, 30], [15, 20, 20, 15, 15, 10, 5]),
}
SCALE_LOW = {"nps": 0, "csat": 1, "ces": 1}
BOUNDS = {"nps": (9, 6), "csat": (4, 2), "ces": (5, 3)}  # lowest positive, highest negative
UNHAPPY = {"complaint": 0.5, "exit": 0.6, "billing": 0.3}  # else 0.15
COMMENTS = {
    "positive": ["Quick and friendly.", "Sorted in one call, thank you.", "Great service."],
    "neutral": ["It was fine.", "Took a while but it works now.", ""],
    "negative": ["Nobody called back.", "Charged twice this month.", "Too slow, three calls."],
}


def say(message: str) -> None:
    print(message, flush=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument(
        "--customers", type=int, help="Customers to seed (default: one per 20 answers)."
    )
    parser.add_argument(
        "--response-rate",
        type=float,
        default=0.3,
        help="Answers per invitation sent (default 0.3): the rest were never answered.",
    )
    parser.add_argument("--requests", type=int, default=30, help="Timed requests per page.")
    parser.add_argument("--warmups", type=int, default=3, help="Untimed requests per page.")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Keep the database when it already holds --responses answers.",
    )
    parser.add_argument(
        "--max-median-ms",
        type=float,
        help="Exit 1 when the median of a results page is above this (off by default).",
    )
    args = parser.parse_args(argv)
    command = shlex.join(
        [
            ".venv/bin/python",
            "bench/bench_satisfaction.py",
            *(sys.argv[1:] if argv is None else argv),
        ]
    )
    args.customers = args.customers or max(args.responses // 20, 50)
    if args.responses < 1 or args.requests < 1 or args.warmups < 0 or args.customers < 1:
        parser.error("--responses, --customers and --requests must be positive.")
    if not 0 < args.response_rate <= 1:
        parser.error("--response-rate is between 0 (excluded) and 1.")
    if not args.database_url.startswith("postgres"):
        parser.error("This benchmark measures PostgreSQL: --database-url postgres://…")

    facts = database_ready(args)
    from django.db import connection

    say(
        f"database={connection.settings_dict['NAME']} responses={facts['responses']:,} "
        f"invitations={facts['invitations']:,} daily_tallies={facts['tallies']:,} "
        f"customers={facts['customers']:,} load={_load()}"
    )
    client = _client()
    failed, slowest = False, 0.0
    lines = []
    for name, url in page_urls():
        median, line, ok = measure(client, name, url, args.requests, args.warmups)
        say(line)
        lines.append(line)
        failed |= not ok
        if name.startswith("results"):
            slowest = max(slowest, median)

    say("")
    say("Summary")
    say(f"  command: {command}")
    say(f"  machine: {os.cpu_count()} cores, load average {_load()} (after the requests)")
    for label, key in (
        ("seed_demo", "seed_s"),
        ("COPY of invitations and answers", "load_s"),
        ("results_rebuild()", "rebuild_s"),
        ("VACUUM ANALYZE", "vacuum_s"),
    ):
        if facts.get(key) is not None:
            say(f"  {label}: {facts[key]:.1f} s")
    say(
        f"  data: {facts['responses']:,} answers, {facts['invitations']:,} invitations, "
        f"{facts['tallies']:,} daily tallies, {facts['customers']:,} customers"
    )
    say(f"  slowest results page median: {slowest:.1f} ms")
    if args.max_median_ms is not None and slowest > args.max_median_ms:
        say(f"FAILED: a results page took {slowest:.1f} ms, over {args.max_median_ms} ms.")
        failed = True
    return 1 if failed else 0


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


# --- The database ---------------------------------------------------------------------------


def _database_exists(url: str) -> bool:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as server:
        return bool(
            server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")
    os.environ.pop("CELERY_BROKER_URL", None)  # nothing here needs a worker
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def database_ready(args) -> dict:
    """The loaded database: reused when asked for and holding as many answers, else built."""
    reuse = args.reuse and _database_exists(args.database_url)
    _django(args.database_url if reuse else fresh_database(args.database_url, label="sat"))
    from customers.models import Customer
    from satisfaction.models import DailyResult, Invitation, Response

    facts = {}
    if reuse and Response.objects.count() == args.responses:
        say(f"Reusing the {args.responses:,} answers in {args.database_url}.")
    else:
        if reuse:
            from django.db import connections

            say("--reuse: the database holds another number of answers; loading it afresh.")
            connections.close_all()
            fresh_database(args.database_url, label="sat")
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
        facts.update(load(args))
    from satisfaction import services

    started = time.monotonic()
    services.results_rebuild()
    facts["rebuild_s"] = time.monotonic() - started
    say(f"results_rebuild() in {facts['rebuild_s']:.1f} s.")
    facts["vacuum_s"] = vacuum_analyze()
    facts["responses"] = Response.objects.count()
    facts["invitations"] = Invitation.objects.count()
    facts["tallies"] = DailyResult.objects.count()
    facts["customers"] = Customer.objects.count()
    return facts


def vacuum_analyze() -> float:
    """A database in service has been vacuumed: fresh rows lack hint bits and the visibility
    map, which would make the first requests slower than the steady state."""
    from django.db import connection

    started = time.monotonic()
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.startswith(("satisfaction_", "customers_customer", "customers_party")):
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
    return time.monotonic() - started


def load(args) -> dict:
    from django.core.management import call_command

    facts = {}
    say(f"Seeding {args.customers:,} customers…")
    started = time.monotonic()
    call_command("seed_demo", customers=args.customers, seed=args.seed, verbosity=0)
    facts["seed_s"] = time.monotonic() - started
    say(f"Seeded in {facts['seed_s']:.1f} s.")
    surveys = surveys_create()
    started = time.monotonic()
    answers_load(args, surveys)
    facts["load_s"] = time.monotonic() - started
    say(f"Loaded in {facts['load_s']:.1f} s.")
    return facts


def surveys_create() -> list:
    from satisfaction import services
    from satisfaction.models import Survey

    surveys = []
    for name, kind, trigger, touch_points, _ in SURVEYS:
        survey = Survey.objects.filter(name=name).first() or services.survey_create(
            name=name,
            kind=kind,
            trigger=trigger,
            actor=None,
            interaction_kinds=list(touch_points) if trigger == "touch_point" else [],
        )
        surveys.append(survey)
    return surveys


def answers_load(args, surveys) -> None:
    """Invitations and answers, generated a chunk at a time and written with COPY."""
    import numpy as np
    from django.db import connection, transaction
    from django.utils import timezone

    from crm.bulk import bulk_copy
    from customers.models import Customer
    from satisfaction.models import Invitation, Response, SurveyVersion

    rng = np.random.default_rng(args.seed)
    customer_ids, segments = zip(
        *Customer.objects.order_by("pk").values_list("pk", "segment"), strict=True
    )
    customer_ids = np.array(customer_ids)
    segments = np.array(segments)
    versions = {
        v.survey_id: v.pk for v in SurveyVersion.objects.filter(survey__in=surveys).only("pk")
    }
    invitations_total = round(args.responses / args.response_rate)
    now = timezone.now().replace(microsecond=0)
    span_s = MONTHS * 30.44 * 86400
    start = now - timedelta(seconds=span_s)
    first_id = (Invitation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    say(
        f"Loading {args.responses:,} answers and {invitations_total:,} invitations "
        f"(COPY, {CHUNK:,} invitations at a time)…"
    )
    invitation_fields = [
        "id",
        "survey",
        "survey_version",
        "customer",
        "trigger_key",
        "touch_point",
        "channel",
        "address",
        "language",
        "segment",
        "status",
        "created_at",
        "sent_at",
        "expires_at",
        "closed_at",
    ]
    response_fields = [
        "invitation",
        "survey",
        "survey_version",
        "customer",
        "kind",
        "score",
        "sentiment",
        "comment",
        "follow_up_answers",
        "language",
        "channel",
        "touch_point",
        "segment",
        "responded_at",
    ]
    # Sent times for every invitation, in order: rows go in as they would in service (the
    # newest last), so the table's order follows responded_at as it does in production. More
    # invitations lately (a growing programme): the density rises over the months.
    offsets = np.sort(np.sqrt(rng.random(invitations_total)) * span_s)
    offsets = np.minimum(offsets, span_s - 16 * 86400)  # answered or expired before today
    answered_left, invitations_left = args.responses, invitations_total
    next_id = first_id
    with transaction.atomic():
        while invitations_left:
            n = min(CHUNK, invitations_left)
            # Exactly the answers still to place, spread evenly over the remaining chunks.
            answers_here = round(answered_left * n / invitations_left)
            rows, answers = _chunk(
                rng,
                offsets[next_id - first_id : next_id - first_id + n],
                answers_here,
                next_id,
                customer_ids,
                segments,
                surveys,
                versions,
                start,
                span_s,
            )
            bulk_copy(Invitation, invitation_fields, rows)
            bulk_copy(Response, response_fields, answers)
            next_id += n
            invitations_left -= n
            answered_left -= answers_here
            say(f"  {next_id - first_id:,} invitations written")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                [Invitation._meta.db_table, next_id - 1],
            )


def _chunk(
    rng, offset_s, answered, first_id, customer_ids, segments, surveys, versions, start, span_s
):
    import numpy as np

    n = len(offset_s)
    weights = np.array([s[4] for s in SURVEYS])
    survey_of = rng.choice(len(SURVEYS), size=n, p=weights / weights.sum())
    who = rng.integers(0, len(customer_ids), size=n)
    segment = segments[who]
    touch_point = np.empty(n, dtype=object)
    for index, (_, _, _, points, _) in enumerate(SURVEYS):
        mask = survey_of == index
        names = list(points)
        p = np.array([points[name] for name in names], dtype=float)
        touch_point[mask] = np.array(names, dtype=object)[
            rng.choice(len(names), size=mask.sum(), p=p / p.sum())
        ]
    channel = np.where(rng.random(n) < 0.72, "email", "sms")
    sent = np.datetime64(start.replace(tzinfo=None), "s") + offset_s.astype("timedelta64[s]")
    # Which invitations were answered: exactly ``answered`` of them, e-mail more often than SMS
    # and business customers more often than households (weighted sampling, Gumbel top-k).
    likelihood = np.where(channel == "email", 1.3, 0.8) * np.where(
        segment == "residential", 1.0, 1.4
    )
    keys = np.log(rng.random(n)) / likelihood
    answered_mask = np.zeros(n, dtype=bool)
    if answered:
        answered_mask[np.argpartition(-keys, answered - 1)[:answered]] = True
    delay_s = np.minimum(rng.exponential(1.5 * 86400, size=n), 13 * 86400).astype("timedelta64[s]")
    responded = sent + delay_s
    unanswered_status = np.where(
        rng.random(n) < 0.02, "bounced", np.where(rng.random(n) < 0.01, "opted_out", "sent")
    )
    status = np.where(answered_mask, "responded", unanswered_status)

    def text(moments):
        return np.char.add(np.datetime_as_string(moments, unit="s"), "+00")

    sent_s, responded_s = text(sent), text(responded)
    created_s = text(sent - np.timedelta64(120, "s"))
    expires_s = text(sent + np.timedelta64(14 * 86400, "s"))
    closed_s = np.where(
        answered_mask, responded_s, np.where(status == "sent", None, text(sent + delay_s // 4))
    )
    survey_ids = np.array([s.pk for s in surveys])[survey_of]
    version_ids = np.array([versions[s.pk] for s in surveys])[survey_of]
    ids = np.arange(first_id, first_id + n)
    cids = customer_ids[who]
    addresses = np.where(
        channel == "email",
        np.char.add(np.char.add("customer", cids.astype(str)), "@bench.example"),
        np.char.add("+4479", np.char.zfill(cids.astype(str), 8)),
    )
    rows = zip(
        ids.tolist(),
        survey_ids.tolist(),
        version_ids.tolist(),
        cids.tolist(),
        [f"bench:{i}" for i in ids.tolist()],
        touch_point.tolist(),
        channel.tolist(),
        addresses.tolist(),
        ["en"] * n,
        segment.tolist(),
        status.tolist(),
        created_s.tolist(),
        sent_s.tolist(),
        expires_s.tolist(),
        closed_s.tolist(),
        strict=True,
    )

    # The answers: unhappy more often after a complaint or at exit, less often for business
    # customers, and less often as the months go by (the programme works).
    picked = np.flatnonzero(answered_mask)
    kinds = np.array([s[1] for s in SURVEYS], dtype=object)[survey_of[picked]]
    points = touch_point[picked]
    unhappy_p = np.array([UNHAPPY.get(point, 0.15) for point in points])
    unhappy_p *= np.where(segment[picked] == "residential", 1.0, 0.8)
    unhappy_p *= 1.2 - 0.5 * (offset_s[picked] / span_s)
    unhappy = rng.random(len(picked)) < unhappy_p
    score = np.zeros(len(picked), dtype=int)
    for kind, (content, upset) in SCORES.items():
        for mood, weights_of in ((False, content), (True, upset)):
            mask = (kinds == kind) & (unhappy == mood)
            p = np.array(weights_of, dtype=float)
            score[mask] = SCALE_LOW[kind] + rng.choice(len(p), size=mask.sum(), p=p / p.sum())
    positive_from = np.array([BOUNDS[k][0] for k in kinds])
    negative_to = np.array([BOUNDS[k][1] for k in kinds])
    sentiment = np.where(
        score >= positive_from, "positive", np.where(score <= negative_to, "negative", "neutral")
    )
    comment = [
        COMMENTS[s][c % 3] if r < 0.15 else ""
        for s, c, r in zip(
            sentiment.tolist(),
            rng.integers(0, 3, len(picked)).tolist(),
            rng.random(len(picked)).tolist(),
            strict=True,
        )
    ]
    answers = zip(
        ids[picked].tolist(),
        survey_ids[picked].tolist(),
        version_ids[picked].tolist(),
        cids[picked].tolist(),
        kinds.tolist(),
        score.tolist(),
        sentiment.tolist(),
        comment,
        ["[]"] * len(picked),
        ["en"] * len(picked),
        channel[picked].tolist(),
        points.tolist(),
        segment[picked].tolist(),
        responded_s[picked].tolist(),
        strict=True,
    )
    return rows, answers


# --- The pages ------------------------------------------------------------------------------


def _client():
    from django.contrib.auth import get_user_model
    from django.test import Client

    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=BENCH_USER, defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    client = Client()
    client.force_login(user)
    return client


def page_urls() -> list[tuple[str, str]]:
    from django.utils import timezone

    from satisfaction.models import Response, Survey
    from satisfaction.results import month_start, response_cursor

    today = timezone.localdate()
    nps = Survey.objects.get(name="Relationship NPS")
    middle = Response.objects.order_by("-responded_at", "-id")[
        Response.objects.count() // 2 : Response.objects.count() // 2 + 1
    ].get()
    three_months = {"date_from": month_start(today, 2).isoformat(), "date_to": today.isoformat()}
    two_years = {"date_from": month_start(today, 23).isoformat(), "date_to": today.isoformat()}
    return [
        ("results_default", "/satisfaction/"),
        ("results_one_survey", "/satisfaction/?" + urlencode({"survey": nps.pk})),
        ("results_one_segment", "/satisfaction/?" + urlencode({"segment": "small_business"})),
        ("results_three_months", "/satisfaction/?" + urlencode(three_months)),
        ("results_two_years", "/satisfaction/?" + urlencode(two_years)),
        (
            "results_csat_by_touch_point",
            "/satisfaction/?" + urlencode({"kind": "csat", "touch_point": "complaint"}),
        ),
        ("answers_default", "/satisfaction/responses/"),
        (
            "answers_one_survey_month",
            "/satisfaction/responses/?"
            + urlencode({"survey": nps.pk, "month": f"{month_start(today, 1):%Y-%m}"}),
        ),
        (
            "answers_detractors_wholesale",
            "/satisfaction/responses/?"
            + urlencode({"kind": "nps", "segment": "wholesale", "sentiment": "negative"}),
        ),
        (
            "answers_complaints_dissatisfied",
            "/satisfaction/responses/?"
            + urlencode({"kind": "csat", "touch_point": "complaint", "sentiment": "negative"}),
        ),
        (
            "answers_deep_page",
            "/satisfaction/responses/?"
            + urlencode({**two_years, "after": response_cursor(middle)}),
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
