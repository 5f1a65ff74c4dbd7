import datetime

import pytest
from django.utils import timezone

from crm.celery import app
from work import services
from work.models import Notification
from work.tasks import tasks_overdue_notify

pytestmark = pytest.mark.django_db


def test_the_overdue_notices_are_declared_for_beat():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == tasks_overdue_notify.name]

    assert len(entries) == 1


def test_the_task_sends_the_overdue_notices(customer, agent):
    services.task_create(
        customer=customer,
        title="Late",
        owner=agent,
        due_on=timezone.localdate() - datetime.timedelta(days=3),
        actor=agent,
    )

    assert tasks_overdue_notify.apply().get() == 1
    assert Notification.objects.filter(kind="overdue").count() == 1
