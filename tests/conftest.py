"""Shared fixtures. Tests that need Redis and a Celery worker carry ``@pytest.mark.broker``.

Without CELERY_BROKER_URL they are skipped, and the header says so; ``.ci/run`` sets
CRM_REQUIRE_SERVICES=1, which makes a missing broker or PostgreSQL an error instead.
"""

import os
import shutil

import pytest
from django.conf import settings
from django.db import connections


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


@pytest.fixture
def worker(transactional_db):
    """A real Celery worker in a thread, consuming from the real Redis broker."""
    from celery.contrib.testing.worker import start_worker

    from crm.celery import app

    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=30
        ) as running:
            yield running
    finally:
        app.conf.task_always_eager = was_eager
    # The worker thread opened its own database connection; close it before the test
    # database is flushed.
    connections.close_all()


@pytest.fixture
def tasks_finished():
    """(task name, arguments, result) of every task that finished in this process (a worker
    thread's included), in the order they finished."""
    from celery.signals import task_postrun

    finished: list[tuple[str, tuple, object]] = []

    def record(sender=None, args=None, retval=None, **kwargs):
        finished.append((sender.name, tuple(args or ()), retval))

    task_postrun.connect(record, weak=False)
    yield finished
    task_postrun.disconnect(record)


@pytest.fixture
def receiver():
    """A partner's hub callback: a real HTTP server on 127.0.0.1 that records each event."""
    from tests.customers.partners.api.test_hub import Receiver

    running = Receiver()
    yield running
    running.close()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("CRM_REQUIRE_BROWSER") == "1"


@pytest.fixture
def browser_page(live_server):
    """A page of headless Debian Chromium on the live server; fails the test if the browser
    console reported an error (a style or script the CSP blocked among them)."""
    if not os.path.exists(CHROMIUM):
        if REQUIRE_BROWSER:
            pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
        pytest.skip("needs Chromium (apt-get install chromium; .ci/run installs it)")
    # Playwright's synchronous API runs an event loop in this thread; the ORM calls made by
    # the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page
        browser.close()
        # Inside Playwright's event loop the test's ORM calls run in their own context, with a
        # connection of their own; closed here, or the test database could not be dropped.
        connections.close_all()
        assert not errors, f"the browser console reported errors: {errors}"
