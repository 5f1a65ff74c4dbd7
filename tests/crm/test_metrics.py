"""/metrics: what Prometheus scrapes, behind a bearer token."""

from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from crm.celery import app
from crm.jobs.queues import JOBS_BULK, QUEUES
from crm.jobs.tasks import job_chunk
from crm.tasks import handoffs_send
from customers.identity.models import ImportJob
from customers.partners.models import HubDelivery
from risk.models import ScoringRun
from tests.customers.partners.api.conftest import ApiClient, individual, partner_with_token
from tests.customers.partners.api.test_hub import _subscribe

TOKEN = "metrics-test-token-0123456789"


def _scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _value(samples, name: str, **labels) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def _sum(samples, name: str, **labels) -> float:
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and labels.items() <= dict(sample_labels).items()
    )


@pytest.fixture(autouse=True)
def _token(settings):
    settings.CRM_METRICS_TOKEN = TOKEN


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}x"])
def test_metrics_are_refused_without_the_token(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 401
    assert b"crm_" not in response.content


def test_metrics_are_refused_to_everyone_when_no_token_is_configured(client, settings):
    settings.CRM_METRICS_TOKEN = ""
    response = client.get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.usefixtures("tasks_in_process")
def test_metrics_count_requests_queries_and_tasks_with_their_failures(client):
    client.get("/health/live/")
    handoffs_send.delay()
    app.conf.task_eager_propagates = False  # failed, as in a worker, rather than raised here
    try:
        assert job_chunk.delay("no-such-kind", 1).failed()
    finally:
        app.conf.task_eager_propagates = True

    samples = _scrape(client)

    assert _sum(samples, "django_http_requests_total_by_method_total", method="GET") >= 1
    assert _sum(samples, "django_db_execute_total", alias="default") >= 1
    assert _sum(samples, "django_db_query_duration_seconds_count", alias="default") >= 1
    assert (
        _sum(
            samples,
            "crm_task_duration_seconds_count",
            task="crm.tasks.handoffs_send",
            state="SUCCESS",
        )
        >= 1
    )
    assert (
        _value(
            samples,
            "crm_task_failures_total",
            task="crm.jobs.tasks.job_chunk",
            job_kind="no-such-kind",
        )
        >= 1
    )


@pytest.mark.django_db
def test_metrics_report_hub_delivery_lag_and_failures(
    client, receiver, django_capture_on_commit_callbacks
):
    _, token = partner_with_token("Metrics Mobile")
    api = ApiClient(token)
    with django_capture_on_commit_callbacks(execute=False):
        _subscribe(api, receiver)
        api.post("/customer", individual())
        api.post("/customer", individual(given="John"))
    first, second = HubDelivery.objects.order_by("pk")
    HubDelivery.objects.filter(pk=first.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    HubDelivery.objects.filter(pk=second.pk).update(status="dead")

    samples = _scrape(client)

    assert 300 <= _value(samples, "crm_hub_delivery_lag_seconds") < 400
    assert _value(samples, "crm_hub_deliveries_failed") == 1


@pytest.mark.django_db
def test_metrics_report_the_last_scoring_run_and_import(client):
    samples = _scrape(client)
    assert ("crm_scoring_run_last_duration_seconds", ()) not in samples
    assert _value(samples, "crm_hub_delivery_lag_seconds") == 0

    finished = timezone.now()
    ScoringRun.objects.create(
        as_of=finished.date(),
        requested_at=finished - timedelta(minutes=2),
        started_at=finished - timedelta(seconds=90),
        finished_at=finished,
        status="done",
    )
    ImportJob.objects.create(
        kind="customers",
        original_name="customers.csv",
        requested_at=finished,
        started_at=finished - timedelta(seconds=20),
        finished_at=finished,
        status="done",
        rows_total=1000,
        rows_done=1000,
    )

    samples = _scrape(client)

    assert _value(samples, "crm_scoring_run_last_duration_seconds") == 90
    assert _value(samples, "crm_import_last_rows_per_second") == 50


@pytest.mark.broker
@pytest.mark.django_db
def test_metrics_report_each_queue_length_from_the_broker(client):
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        for chunk_id in (1, 2, 3):
            job_chunk.apply_async(("statements", chunk_id))
        samples = _scrape(client)
    finally:
        app.control.purge()
        app.conf.task_always_eager = was_eager

    assert _value(samples, "crm_broker_up") == 1
    assert _value(samples, "crm_queue_length", queue=JOBS_BULK) == 3
    assert {
        queue for (name, labels) in samples if name == "crm_queue_length" for _, queue in labels
    } == set(QUEUES)
