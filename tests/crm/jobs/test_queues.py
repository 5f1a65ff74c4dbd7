"""Work someone waits for has queues of its own: a long job never holds it up."""

import time

import pytest
from django.db import connection
from django.utils import timezone

from crm.celery import app, broker_pointed_at
from crm.handoff import handoffs_sweep, task_send_after_commit
from crm.jobs import kinds
from crm.jobs.queues import (
    DEFAULT,
    JOBS_BULK,
    JOBS_SCORING,
    JOBS_STAFF,
    QUEUES,
    REALTIME,
    WORKER_GROUPS,
    job_queue,
    worker_queues,
)
from crm.jobs.services import job_plan, job_request
from crm.models import Handoff
from customers.partners.models import HubDelivery
from tests.customers.partners.api.conftest import ApiClient, individual, partner_with_token
from tests.customers.partners.api.test_hub import _subscribe

NOWHERE = "redis://127.0.0.1:1/0"


def _queue_route(task_name: str, *args) -> str:
    return app.amqp.router.route({}, task_name, args)["queue"].name


def _waiting(queue: str) -> int:
    with app.connection_for_read() as connection:
        return connection.default_channel.queue_declare(queue=queue).message_count


def test_realtime_tasks_are_routed_to_the_realtime_queue():
    for task in (
        "customers.partners.tasks.hub_delivery_send",
        "satisfaction.tasks.invitation_send",
        "satisfaction.tasks.survey_trigger",
        "messaging.tasks.outbound_message_send",
        "risk.tasks.customer_rescore",
    ):
        assert _queue_route(task) == REALTIME
    assert _queue_route("crm.tasks.handoffs_send") == DEFAULT


def test_each_job_kind_has_its_queue_declared_once():
    assert kinds.job_kind("scoring").queue == JOBS_SCORING
    assert kinds.job_kind("import").queue == JOBS_STAFF
    assert kinds.job_kind("export-customers").queue == JOBS_STAFF
    assert kinds.job_kind("duplicate_scan").queue == JOBS_BULK
    assert {kind.queue for kind in kinds.job_kinds()} <= set(QUEUES)
    # A job task sent without a queue (a command's .delay()) is routed by its kind too.
    assert _queue_route("crm.jobs.tasks.job_chunk", "scoring", 1) == JOBS_SCORING
    assert job_queue("statements") == JOBS_BULK


def test_the_worker_groups_consume_every_queue_once():
    grouped = [queue for group in WORKER_GROUPS.values() for queue in group]
    assert sorted(grouped) == sorted(QUEUES)
    assert worker_queues().split(",") == list(QUEUES)
    assert {queue.name for queue in app.conf.task_queues} == set(QUEUES)


@pytest.mark.broker
@pytest.mark.django_db
def test_a_swept_handoff_goes_to_the_queue_it_was_handed_to():
    app.control.purge()
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with broker_pointed_at(NOWHERE):
            task_send_after_commit("crm.jobs.tasks.job_chunk", "scoring", 1, queue=JOBS_SCORING)
        row = Handoff.objects.get()
        assert row.queue == JOBS_SCORING
        assert handoffs_sweep(older_than=timezone.timedelta(0)) == 1
        assert _waiting(JOBS_SCORING) == 1
        assert _waiting(DEFAULT) == 0
    finally:
        app.conf.task_always_eager = was_eager
        app.control.purge()


# --- A long job and a hub delivery, each on a real worker process of its own ---------------------


@pytest.fixture
def slow_kind():
    """The slow kind, registered in this process for this test only (the worker process
    registers it by importing the same module)."""
    from tests.crm.jobs import slow_kind

    kinds.register(slow_kind.SLOW)
    yield slow_kind
    kinds._kinds.pop(slow_kind.SLOW.name, None)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL and Redis: the workers are processes of their own, which reach "
    "the test database through DATABASE_URL",
)
@pytest.mark.broker
def test_a_hub_delivery_arrives_within_seconds_while_a_long_job_keeps_the_bulk_worker_busy(
    workers, receiver, slow_kind
):
    slow = slow_kind.SLOW
    assert slow.queue == JOBS_BULK
    bulk = workers.start(
        queues=(JOBS_BULK, JOBS_SCORING, JOBS_STAFF, DEFAULT), include=slow_kind.__name__
    )
    realtime = workers.start(queues=(REALTIME,))
    workers.wait_until_ready(bulk)
    workers.wait_until_ready(realtime)

    run = job_plan(slow, ranges=[(n, n) for n in range(1, 9)], period="2026-11")
    job_request(slow, run)
    deadline = time.monotonic() + 20
    while run.status != "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        run.refresh_from_db()
    assert run.status == "running", workers.output()  # the bulk worker is at its first chunk
    assert _waiting(JOBS_BULK) >= 5  # and the rest wait behind it

    _, token = partner_with_token("Queue Mobile")
    api = ApiClient(token)
    _subscribe(api, receiver)
    asked = time.monotonic()
    api.post("/customer", individual())
    receiver.take(timeout=5)
    delivered_after = time.monotonic() - asked

    assert delivered_after < 3, f"delivered after {delivered_after:.1f}s"
    run.refresh_from_db()
    assert run.status == "running" and run.chunks_done < run.chunks_total
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if HubDelivery.objects.filter(status="delivered").exists():
            break
        time.sleep(0.05)
    assert HubDelivery.objects.get().status == "delivered"
