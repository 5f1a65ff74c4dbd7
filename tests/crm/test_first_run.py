"""What a new user sees on the first `make run`: one command that sets up, links that follow the
port, and a quiet log."""

import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command

from customers.models import Customer
from risk.models import ScoringRun
from tests.crm.test_settings import CLEAN_ENV, ROOT


def _python(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**CLEAN_ENV, "DJANGO_SETTINGS_MODULE": "crm.settings.dev", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_what_django_logs_is_printed_once():
    result = _python(
        "import django, logging; django.setup(); "
        "logging.getLogger('django.utils.autoreload').info('Watching for file changes')"
    )

    assert result.stderr.count("Watching for file changes") == 1, result.stderr


def test_tasks_run_in_process_without_a_warning_about_a_missing_broker_host(tmp_path):
    result = _python(
        "import django; django.setup(); "
        "from customers.tasks import hub_deliveries_sweep; hub_deliveries_sweep.delay()",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )

    assert "No hostname was supplied" not in result.stderr


@pytest.mark.django_db(transaction=True)
def test_demo_setup_prepares_everything_once_and_prints_the_login_at_the_public_url(settings):
    settings.CRM_PUBLIC_URL = "http://127.0.0.1:8100"
    out = StringIO()

    call_command("demo_setup", customers=30, stdout=out, verbosity=0)

    printed = out.getvalue()
    assert "Staff login for http://127.0.0.1:8100/" in printed
    assert "Password: " in printed
    assert Customer.objects.count() >= 30
    assert ScoringRun.objects.filter(status=ScoringRun.Status.DONE).count() == 1

    again = StringIO()
    call_command("demo_setup", customers=30, stdout=again, verbosity=0)

    assert Customer.objects.count() < 60
    assert ScoringRun.objects.count() == 1
    assert "Password: " in again.getvalue()
