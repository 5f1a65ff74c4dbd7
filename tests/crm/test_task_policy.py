"""Every task follows the one retry policy declared on the Celery app's task class."""

import pytest
from django.db import OperationalError

from crm.celery import CrmTask, app
from crm.handoff import _tasks_registered

# Loading the task modules as a worker does lets Celery's Django fixup touch the database.
pytestmark = pytest.mark.django_db

OURS = ("crm.", "customers.", "risk.", "satisfaction.")


def _our_tasks() -> dict:
    _tasks_registered()
    return {name: task for name, task in app.tasks.items() if name.startswith(OURS)}


def test_every_task_of_the_product_is_a_crm_task():
    tasks = _our_tasks()
    assert {"crm.jobs.tasks.job_chunk", "risk.tasks.scoring_run_start"} <= set(tasks)
    assert all(isinstance(task, CrmTask) for task in tasks.values()), sorted(tasks)


def test_a_briefly_unreachable_database_is_retried_with_backoff_by_every_task():
    chunk_task = "crm.jobs.tasks.job_chunk"  # counts its attempts on the chunk instead
    for name, task in _our_tasks().items():
        if name == chunk_task:
            assert task.autoretry_for == ()
            continue
        assert OperationalError in task.autoretry_for, name
        assert (task.max_retries, task.retry_backoff) == (3, True), name
