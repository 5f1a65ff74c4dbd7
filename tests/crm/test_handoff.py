"""Work handed to Celery is written with the change that asks for it, sent after the commit, and
kept for the sweep while the broker is away; a change never waits long for the broker, nor
fails because of it."""

from datetime import timedelta

import pytest
from django.db import transaction

from crm.celery import app, broker_pointed_at
from crm.handoff import (
    handoffs_sweep,
    handoffs_waiting,
    task_send,
    task_send_after_commit,
    tasks_send_after_commit,
)
from crm.models import Handoff

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: every connection is refused
TASK = "customers.tasks.flag_stale_leads"  # any registered task; no worker runs it here


def _queued() -> int:
    """Messages waiting in the broker's default queue."""
    with app.connection_for_write() as connection:
        return connection.default_channel.client.llen("celery")


@pytest.fixture
def through_the_broker():
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    yield
    app.control.purge()
    app.conf.task_always_eager = was_eager


@pytest.mark.django_db(transaction=True)
def test_the_work_is_written_with_the_change_and_a_rolled_back_change_asks_for_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        task_send_after_commit(TASK)
        assert Handoff.objects.count() == 1  # inside the change's own transaction
        raise RuntimeError("the change fails")

    assert not Handoff.objects.exists()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_after_the_commit_the_broker_takes_the_work_and_its_row_goes(through_the_broker):
    with transaction.atomic():
        tasks_send_after_commit(TASK, [(), (), ()])
        assert Handoff.objects.count() == 3

    assert _queued() == 3
    assert not Handoff.objects.exists()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_away_the_change_stands_and_its_work_waits(through_the_broker):
    with broker_pointed_at(CLOSED_PORT):
        with transaction.atomic():
            tasks_send_after_commit(TASK, [(1,), (2,)], countdown=60)

        waiting = list(Handoff.objects.order_by("pk"))
        assert [row.args for row in waiting] == [[1], [2]]
        assert all(row.attempts == 1 and row.last_error for row in waiting)
        # Another change a moment later does not knock on the closed door again.
        task_send_after_commit(TASK, 3)
        assert Handoff.objects.get(args=[3]).attempts == 0


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_what_waited_once_the_broker_is_back(through_the_broker):
    with broker_pointed_at(CLOSED_PORT):
        tasks_send_after_commit(TASK, [(n,) for n in range(5)])
        assert handoffs_sweep(older_than=timedelta(0)) == 0  # still away: nothing is lost
    assert Handoff.objects.count() == 5

    assert handoffs_sweep(batch=2, older_than=timedelta(0)) == 5

    assert _queued() == 5
    assert not Handoff.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_leaves_the_work_just_handed_over_to_its_own_send():
    Handoff.objects.create(task=TASK, args=[], due_at="2026-01-01T00:00:00Z")

    assert list(handoffs_waiting()) == []
    assert handoffs_sweep() == 0
    assert Handoff.objects.count() == 1


@pytest.mark.broker
def test_a_send_without_a_row_says_whether_the_broker_took_it(through_the_broker):
    assert task_send(TASK) is True
    with broker_pointed_at(CLOSED_PORT):
        assert task_send(TASK) is False
    assert _queued() == 1
