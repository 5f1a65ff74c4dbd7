"""One write path: an import announces its customers as creating them one by one does, so the
partner hub, risk rescoring and survey triggers hear the same, through a real broker and a real
Celery worker, with the hub's callbacks received by a real HTTP server."""

import time
from collections import Counter

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from customers.identity.services.imports import import_job_create, import_job_run
from customers.models import Customer
from customers.partners.services.hub import hub_subscribe
from customers.services import PartyInput
from customers.services.profile import customer_onboard
from satisfaction.services import survey_create
from tests.customers.partners.api.test_hub import Receiver

N = 3
WATCHED = {
    "customers.partners.tasks.hub_delivery_send",
    "risk.tasks.customer_rescore",
    "satisfaction.tasks.survey_trigger",
}


def _wait_for(condition, *, seconds: float = 60) -> None:
    """Poll until the worker has done its part; the test fails on what is missing, not on time."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.1)


def _heard(receiver: Receiver, tasks_run: list, family: str) -> dict:
    """What the hub, risk and surveys heard about the customers named ``family`` 1..N, by the
    customer's place in the list (their numbers differ from one path to the other)."""
    expected_events = 2 * N  # created, then established
    _wait_for(lambda: receiver.received.qsize() >= expected_events)
    events = receiver.events()
    place = {
        c.pk: int(c.party.given_name.removeprefix("Person "))
        for c in Customer.objects.filter(party__family_name=family).select_related("party")
    }

    def about_them():
        # The worker outlives the test: a rescore an earlier test asked for may land here.
        return [
            (name, args)
            for name, args, _ in tasks_run
            if name in WATCHED and (name.startswith("customers.") or args[0] in place)
        ]

    _wait_for(lambda: len(about_them()) >= expected_events + 2 * N)
    heard = about_them()
    hub = Counter()
    for event in events:
        customer = event["event"]["customer"]
        hub[(event["eventType"], customer["name"].removesuffix(f" {family}"))] += 1
    rescores = Counter(place[args[0]] for name, args in heard if name.startswith("risk."))
    surveys = Counter(
        (place[args[0]], *args[1:]) for name, args in heard if name.startswith("satisfaction.")
    )
    deliveries = sum(1 for name, _ in heard if name.startswith("customers."))
    tasks_run.clear()
    return {"hub": hub, "deliveries": deliveries, "rescores": rescores, "surveys": surveys}


def _csv(family: str) -> bytes:
    lines = ["external_ref,given_name,family_name,status"]
    lines += [f"{family}-{i},Person {i},{family},active" for i in range(1, N + 1)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.broker
@override_settings(RISK_RESCORE_DELAY_SECONDS=0)
def test_an_import_fires_the_same_hub_events_rescores_and_survey_triggers_as_creating_one_by_one(
    worker, receiver, tasks_finished
):
    hub_subscribe(partner=None, actor="test", callback=receiver.url)
    survey_create(name="Welcome", kind="nps", trigger="onboarding", actor="test")

    for i in range(1, N + 1):
        customer_onboard(
            party=PartyInput(given_name=f"Person {i}", family_name="Single"),
            actor="test",
            status=Customer.Status.ACTIVE,
        )
    one_by_one = _heard(receiver, tasks_finished, "Single")

    job = import_job_create(
        kind="customers", file=ContentFile(_csv("Imported"), name="customers.csv"), actor=None
    )
    job = import_job_run(job_id=job.pk)
    assert job.rows_created == N
    imported = _heard(receiver, tasks_finished, "Imported")

    assert one_by_one["hub"] == Counter(
        {
            (event_type, f"Person {i}"): 1
            for i in range(1, N + 1)
            for event_type in ("CustomerCreateEvent", "CustomerStateChangeEvent")
        }
    )
    assert one_by_one["deliveries"] == 2 * N
    assert one_by_one["rescores"] == Counter(range(1, N + 1))
    assert one_by_one["surveys"] == Counter(
        (i, "onboarding", "onboarding", "onboarding") for i in range(1, N + 1)
    )
    assert imported == one_by_one
