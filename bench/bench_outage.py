"""How long a request takes with the broker away, against the same request with it up.

On a fresh database (``--database-url``, PostgreSQL) the doors that hand work to Celery are
each asked ``--rounds`` times with the broker up and as many times with it on a closed port,
taking turns, through Django's test client in this process (no server: what is measured is the
request's own work, including its hand-offs):

    partner create   POST /tmf-api/customerManagement/v5/customer (a partner's token)
    interaction      POST /customers/<number>/interactions/new/ (a complaint, left open)
    resolve          POST /customers/<number>/interactions/<id>/resolve/ (a survey follows)
    suspend          POST /customers/<number>/suspend/
    import           POST /imports/ (a two-row file)
    run now          POST /risk/runs/
    scan             POST /duplicates/scans/

Each round uses a new customer; the import, the run and the scan of the round before are marked
done first, so each round starts its own. The summary gives, per door, the median and the
slowest time with the broker up and away and the slowest difference. The exit status is
non-zero when any answer is a server error or a request took more than ``--max-extra-s``
(default 1 s) longer with the broker away than the slowest with it up.

    python bench/bench_outage.py --database-url postgres://postgres@127.0.0.1:5432/crm_outage
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database  # noqa: E402

CLOSED_PORT = "redis://127.0.0.1:1/0"
API = "/tmf-api/customerManagement/v5/customer"
DOORS = ("partner create", "interaction", "resolve", "suspend", "import", "run now", "scan")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/crm_bench_outage"
    )
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--max-extra-s", type=float, default=1.0)
    return parser.parse_args(argv)


def _setting_up():
    """The partner, its token and hub, a survey after complaints, and a staff client."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from customers import roles
    from customers.partners.services.hub import hub_subscribe
    from customers.partners.services.partners import (
        FULL_SCOPES,
        partner_create,
        partner_transition,
        token_issue,
    )
    from satisfaction.services import survey_create

    partner = partner_create(name="Northwind", actor="bench")
    for action in ("validate", "approve"):
        partner = partner_transition(partner=partner, action=action, actor="bench")
    token = token_issue(partner=partner, name="sync", scopes=FULL_SCOPES, actor="bench").secret
    hub_subscribe(partner=partner, actor="bench", callback="http://127.0.0.1:9/hub")
    survey_create(
        name="After support",
        kind="csat",
        trigger="touch_point",
        interaction_kinds=["complaint"],
        actor="bench",
    )
    administrator = get_user_model().objects.create_user("bench-admin", is_staff=True)
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    staff = Client()
    staff.force_login(administrator)
    return partner, token, administrator, staff


def _round(label: str, partner, token, administrator, staff) -> dict[str, tuple[float, int]]:
    """Each door once; its time in seconds and its status code."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from customers.identity.models import DuplicateScan, ImportJob
    from customers.models import Customer, Interaction
    from customers.services import ContactMediumInput, PartyInput, consent_record
    from customers.services.contacts import contact_medium_add
    from customers.services.profile import customer_onboard
    from risk.models import ScoringRun

    for Run in (ImportJob, ScoringRun, DuplicateScan):
        Run.objects.filter(status__in=["queued", "running"]).update(status="done")
    customer = customer_onboard(
        party=PartyInput(given_name="Hal", family_name=f"Held {label}"),
        actor=administrator,
        partner=partner,
        status=Customer.Status.ACTIVE,
    )
    contact_medium_add(
        customer=customer,
        medium=ContactMediumInput(kind="email", value=f"{label}@example.com"),
        actor=administrator,
    )
    consent_record(
        customer=customer,
        channel="email",
        purpose="surveys",
        granted=True,
        source="web",
        actor=administrator,
    )
    number = customer.number
    timings = {}

    def timed(door, send):
        started = time.perf_counter()
        response = send()
        timings[door] = (time.perf_counter() - started, response.status_code)

    body = {
        "@type": "Customer",
        "engagedParty": {"@type": "Individual", "givenName": "Ada", "familyName": label},
    }
    timed(
        "partner create",
        lambda: Client().post(
            API,
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        ),
    )
    complaint = {
        "channel": "phone",
        "direction": "inbound",
        "kind": "complaint",
        "summary": "No signal",
        "outcome": "open",
    }
    timed(
        "interaction",
        lambda: staff.post(reverse("customers:interaction_create", args=[number]), complaint),
    )
    interaction = Interaction.objects.filter(customer=customer).latest("pk")
    timed(
        "resolve",
        lambda: staff.post(
            reverse("customers:interaction_resolve", args=[number, interaction.pk]),
            {"outcome": "resolved", "note": "Mast repaired"},
        ),
    )
    timed(
        "suspend",
        lambda: staff.post(
            reverse("customers:lifecycle_action", args=[number, "suspend"]),
            {"reason": "customer_request"},
        ),
    )
    csv = f"external_ref,family_name\n{label}-1,Imported\n{label}-2,Imported\n".encode()
    timed(
        "import",
        lambda: staff.post(
            reverse("identity:imports"),
            {
                "kind": "customers",
                "on_duplicate": "refuse",
                "file": SimpleUploadedFile(f"{label}.csv", csv, "text/csv"),
            },
        ),
    )
    newest = ScoringRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    timed("run now", lambda: staff.post(reverse("risk:run_start"), {"newest_run": newest}))
    timed("scan", lambda: staff.post(reverse("identity:duplicate_scans")))
    return timings


def summary(times: dict, args) -> tuple[list[str], list[str]]:
    lines = ["=" * 79, "Requests with the broker up and away (seconds)", "-" * 79]
    lines.append(
        f"{'door':16} {'up median':>10} {'up max':>8} {'away median':>12} {'away max':>9} "
        f"{'extra max':>10}"
    )
    failed = []
    for door in DOORS:
        up = [t for t, _ in times["up"][door]]
        away = [t for t, _ in times["away"][door]]
        extra = max(away) - max(up)
        statuses = {s for state in ("up", "away") for _, s in times[state][door]}
        lines.append(
            f"{door:16} {statistics.median(up):10.3f} {max(up):8.3f} "
            f"{statistics.median(away):12.3f} {max(away):9.3f} {extra:10.3f}"
        )
        if any(status >= 500 for status in statuses):
            failed.append(f"{door}: answered {sorted(statuses)}")
        if extra > args.max_extra_s:
            failed.append(f"{door}: {extra:.3f} s longer with the broker away")
    lines.append(f"rounds           {args.rounds} each way, taking turns")
    lines.append(f"load average     {os.getloadavg()[0]:.2f}")
    for line in failed:
        lines.append(f"FAILED           {line}")
    lines.append("=" * 79)
    return lines, failed


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ["DATABASE_URL"] = fresh_database(args.database_url, label="outage")
    os.environ["CELERY_BROKER_URL"] = args.broker_url
    os.environ["CELERY_RESULT_BACKEND"] = args.broker_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from crm.celery import app, broker_pointed_at
    from crm.models import Handoff

    call_command("migrate", "--no-input", verbosity=0)
    app.conf.task_always_eager = False
    app.control.purge()
    partner, token, administrator, staff = _setting_up()
    _round("warm", partner, token, administrator, staff)  # imports and first connections
    times = {state: {door: [] for door in DOORS} for state in ("up", "away")}
    for index in range(args.rounds):
        for state in ("up", "away"):
            label = f"{state}{index}"
            if state == "up":
                timings = _round(label, partner, token, administrator, staff)
            else:
                with broker_pointed_at(CLOSED_PORT):
                    timings = _round(label, partner, token, administrator, staff)
            for door, timing in timings.items():
                times[state][door].append(timing)
    waiting = Handoff.objects.count()
    app.control.purge()
    lines, failed = summary(times, args)
    lines.insert(-1, f"hand-offs kept   {waiting} waiting for the sweep after the rounds away")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
