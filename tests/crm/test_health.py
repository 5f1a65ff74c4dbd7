"""Health endpoints answer load balancers and orchestrators, unauthenticated, in JSON."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from crm.celery import broker_pointed_at

NOWHERE = "redis://127.0.0.1:1/0"


def test_liveness_answers_without_touching_the_database(client):
    # No database access is allowed in this test: a query would fail it.
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db(transaction=True)
def test_readiness_is_200_when_database_cache_and_broker_answer(client, settings):
    response = client.get("/health/ready/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body.values()) == {"OK"}
    assert any(name.startswith("Database") for name in body)
    assert any(name.startswith("Cache") for name in body)


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_readiness_is_503_naming_the_broker_when_it_cannot_be_reached(client):
    from crm.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with broker_pointed_at(NOWHERE):
            response = client.get("/health/ready/")
    finally:
        app.conf.task_always_eager = was_eager
    assert response.status_code == 503
    body = response.json()
    assert body["Broker"] == "Unavailable: The broker cannot be reached."
    assert body["Database(alias='default')"] == "OK"
    assert "6379" not in response.content.decode() and "redis" not in response.content.decode()


def _beat_ran(ago: timedelta) -> None:
    schedule = CrontabSchedule.objects.create(minute="*")
    PeriodicTask.objects.create(
        name="send-waiting-handoffs",
        task="crm.tasks.handoffs_send",
        crontab=schedule,
        last_run_at=timezone.now() - ago,
    )


@pytest.mark.broker
def test_workers_check_is_200_with_a_worker_on_every_queue_and_beat_seen(worker, client):
    _beat_ran(timedelta(minutes=1))
    response = client.get("/health/workers/")
    assert response.status_code == 200, response.content
    assert response.json() == {"Workers": "OK", "Beat": "OK"}


@pytest.mark.broker
def test_workers_check_is_503_naming_beat_when_it_has_been_silent(worker, client):
    _beat_ran(timedelta(hours=1))
    response = client.get("/health/workers/")
    assert response.status_code == 503
    assert response.json()["Beat"] == "Unavailable: Beat has sent nothing for over 600 seconds."


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_workers_check_is_503_when_no_worker_answers(client):
    from crm.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        _beat_ran(timedelta(minutes=1))
        response = client.get("/health/workers/")
    finally:
        app.conf.task_always_eager = was_eager
    assert response.status_code == 503
    assert response.json()["Workers"] == "Unavailable: Celery workers unavailable"
