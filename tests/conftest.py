"""Shared fixtures. Tests that need Redis and a Celery worker carry ``@pytest.mark.broker``.

Without CELERY_BROKER_URL they are skipped, and the header says so; ``.ci/run`` sets
CRM_REQUIRE_SERVICES=1, which makes a missing broker or PostgreSQL an error instead.
"""

import pytest
from django.conf import settings


def pytest_report_header(config):
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = settings.CELERY_BROKER_URL or "none: broker tests are skipped"
    return [f"crm database: {engine}", f"crm celery broker: {broker}"]


def pytest_collection_modifyitems(config, items):
    if settings.CELERY_BROKER_URL:
        return
    skip = pytest.mark.skip(
        reason="needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/0 (as .ci/run does)"
    )
    for item in items:
        if "broker" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def tasks_in_process():
    """Run Celery tasks in the test's own process even when a broker is configured.

    For tests of what a page does with a task's result; tests/crm/test_celery_worker.py shows
    the same tasks going through Redis to a real worker.
    """
    from crm.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = was_eager
