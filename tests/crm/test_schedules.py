"""Periodic jobs are declared once in crm/celery.py and land in django-celery-beat's tables."""

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from crm.celery import app
from customers.tasks import flag_stale_leads, mark_missed_payments
from tests.factories import UserFactory


def test_the_nightly_stale_lead_job_is_declared_for_beat():
    entry = app.conf.beat_schedule["flag-stale-leads-nightly"]
    assert entry["task"] == flag_stale_leads.name
    assert entry["schedule"].hour == {2}
    assert entry["schedule"].minute == {15}


def test_the_daily_missed_payment_job_runs_before_the_nightly_scoring():
    entry = app.conf.beat_schedule["mark-missed-payments-daily"]
    scoring = app.conf.beat_schedule["score-customers-nightly"]["schedule"]
    assert entry["task"] == mark_missed_payments.name
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {30})
    assert min(entry["schedule"].hour) < min(scoring.hour)


@pytest.mark.django_db(transaction=True)  # the scheduler closes connections in a transaction
def test_the_database_scheduler_installs_the_declared_jobs():
    DatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(name="flag-stale-leads-nightly")
    assert task.task == "customers.tasks.flag_stale_leads"
    assert task.enabled
    assert (task.crontab.hour, task.crontab.minute) == ("2", "15")


@pytest.mark.django_db(transaction=True)  # the scheduler closes connections in a transaction
def test_operators_see_the_schedules_in_admin(client):
    DatabaseScheduler(app=app)
    client.force_login(UserFactory(is_superuser=True))
    response = client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert response.status_code == 200
    assert "flag-stale-leads-nightly" in response.content.decode()
