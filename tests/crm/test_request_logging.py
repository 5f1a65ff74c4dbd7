"""Each request has an id that its response returns, its log lines carry, and the tasks it
starts carry into their own logs."""

import json
import logging
import time
from datetime import timedelta

import pytest

from crm.celery import broker_pointed_at
from crm.handoff import handoffs_sweep
from crm.models import Handoff
from crm.operations.logs import JsonLineFormatter
from tests.customers.partners.api.conftest import ApiClient, individual, partner_with_token
from tests.customers.partners.api.test_hub import _subscribe

INCOMING = "3f0c9a4e-5b1d-4c2a-9e8f-0123456789ab"


class Recorded(logging.Handler):
    """The records of one logger, whatever thread made them."""

    def __init__(self, name: str):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.logger = logging.getLogger(name)

    def emit(self, record):
        self.records.append(record)

    def __enter__(self):
        self.logger.addHandler(self)
        self.level_was = self.logger.level
        self.logger.setLevel(logging.INFO)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self)
        self.logger.setLevel(self.level_was)


def test_a_request_without_an_id_gets_a_new_one_in_its_response(client):
    first = client.get("/health/live/")["X-Request-ID"]
    second = client.get("/health/live/")["X-Request-ID"]
    assert len(first) == 32 and first != second


@pytest.mark.parametrize(
    "incoming, kept",
    [
        (INCOMING, True),
        ("edge-7:trace.42_x", True),
        ("short", False),
        ("has spaces in it", False),
        ('"><script>alert(1)</script>', False),
        ("x" * 129, False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_well_formed(client, incoming, kept):
    returned = client.get("/health/live/", headers={"X-Request-ID": incoming})["X-Request-ID"]
    assert (returned == incoming) is kept


def test_each_request_is_logged_once_with_its_id_path_status_and_duration(client):
    with Recorded("crm.requests") as log:
        client.get("/health/live/", headers={"X-Request-ID": INCOMING})
    (record,) = log.records
    assert record.request_id == INCOMING
    assert (record.method, record.path, record.status) == ("GET", "/health/live/", 200)
    assert record.duration_ms >= 0


@pytest.mark.django_db
def test_a_signed_in_users_requests_are_logged_with_their_id(admin_client, admin_user):
    with Recorded("crm.requests") as log:
        admin_client.get("/health/live/")
    assert log.records[0].user_id == admin_user.pk


def test_the_production_format_is_one_json_object_a_line(client):
    with Recorded("crm.requests") as log:
        client.get("/health/live/", headers={"X-Request-ID": INCOMING})
    line = JsonLineFormatter().format(log.records[0])
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "INFO" and entry["logger"] == "crm.requests"
    assert entry["message"] == "GET /health/live/ 200"
    assert entry["request_id"] == INCOMING and entry["user_id"] is None
    assert entry["path"] == "/health/live/" and entry["status"] == 200
    assert "duration_ms" in entry and entry["time"].startswith("20")


def _create_customer_for_a_hub(receiver, request_id: str) -> None:
    _, token = partner_with_token("Logging Mobile")
    api = ApiClient(token)
    _subscribe(api, receiver)
    api.headers["X-Request-ID"] = request_id
    assert api.post("/customer", individual()).status_code == 201


def _task_records(log, task: str) -> list[logging.LogRecord]:
    return [record for record in log.records if getattr(record, "task", None) == task]


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_in_process")
def test_a_task_run_in_process_logs_the_id_of_the_request_that_started_it(
    receiver, django_capture_on_commit_callbacks
):
    with Recorded("crm.operations.tasks") as log, django_capture_on_commit_callbacks(execute=True):
        _create_customer_for_a_hub(receiver, INCOMING)
    (sent,) = _task_records(log, "customers.partners.tasks.hub_delivery_send")
    assert sent.request_id == INCOMING and sent.state == "SUCCESS"


@pytest.mark.broker
def test_a_worker_logs_the_id_of_the_request_that_started_its_task(worker, receiver):
    with Recorded("crm.operations.tasks") as log:
        _create_customer_for_a_hub(receiver, INCOMING)
        receiver.take(timeout=30)
        deadline = time.monotonic() + 10
        while not _task_records(log, "customers.partners.tasks.hub_delivery_send"):
            assert time.monotonic() < deadline, "the worker logged no end of the task"
            time.sleep(0.05)
    (sent,) = _task_records(log, "customers.partners.tasks.hub_delivery_send")
    assert sent.request_id == INCOMING


@pytest.mark.broker
def test_a_handoff_swept_later_still_carries_its_requests_id(worker, receiver):
    with broker_pointed_at("redis://127.0.0.1:1/0"):
        _create_customer_for_a_hub(receiver, INCOMING)
    assert set(Handoff.objects.values_list("request_id", flat=True)) == {INCOMING}

    with Recorded("crm.operations.tasks") as log:
        assert handoffs_sweep(older_than=timedelta(0)) >= 1
        receiver.take(timeout=30)
        deadline = time.monotonic() + 10
        while not _task_records(log, "customers.partners.tasks.hub_delivery_send"):
            assert time.monotonic() < deadline, "the worker logged no end of the task"
            time.sleep(0.05)
    assert {
        record.request_id
        for record in _task_records(log, "customers.partners.tasks.hub_delivery_send")
    } == {INCOMING}
