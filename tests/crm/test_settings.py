"""Configuration fails fast on bad values, and production mode passes Django's deploy checklist."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLEAN_ENV = {
    key: value
    for key, value in os.environ.items()
    if not key.startswith(("DJANGO_", "DATABASE_", "CELERY_", "CRM_", "EMAIL_"))
}


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**CLEAN_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="crm.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="crm.example.com",
        DATABASE_URL="postgres://crm@db.example.com:5432/crm",
        CELERY_BROKER_URL="redis://redis.example.com:6379/0",
        EMAIL_URL="smtp+tls://crm:secret@mail.example.com:587",
        CRM_PUBLIC_URL="https://crm.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be at least 50"),
        ({"DATABASE_URL": "sqlite:////tmp/crm.sqlite3"}, "Production needs DATABASE_URL"),
        ({"CELERY_BROKER_URL": ""}, "Production needs CELERY_BROKER_URL"),
        ({"EMAIL_URL": ""}, "Production needs EMAIL_URL"),
        ({"CRM_PUBLIC_URL": "http://crm.example.com"}, "CRM_PUBLIC_URL must be an https://"),
        ({"CRM_PUBLIC_URL": "https://elsewhere.example"}, "must be one of DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(env, message):
    base = {
        "DJANGO_SETTINGS_MODULE": "crm.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": "postgres://crm@db.example.com:5432/crm",
        "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
        "EMAIL_URL": "smtp+tls://crm:secret@mail.example.com:587",
        "CRM_PUBLIC_URL": "https://crm.example.com",
    }
    result = _manage("check", **{**base, **env})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CRM_STALE_LEAD_DAYS": "soon"}, "CRM_STALE_LEAD_DAYS must be a whole number"),
        ({"CRM_STALE_LEAD_DAYS": "0"}, "CRM_STALE_LEAD_DAYS must be at least 1"),
        ({"DATABASE_URL": "mysql://root@localhost/crm"}, "must point to PostgreSQL or SQLite"),
        ({"CELERY_BROKER_URL": "amqp://guest@localhost//"}, "must be a redis://"),
        ({"DJANGO_DEBUG": "perhaps"}, "DJANGO_DEBUG must be true or false"),
        ({"CRM_PUBLIC_URL": "crm.example.com"}, "CRM_PUBLIC_URL must start with http"),
        ({"SATISFACTION_FATIGUE_DAYS": "-1"}, "SATISFACTION_FATIGUE_DAYS must be at least 0"),
    ],
)
def test_bad_configuration_values_stop_start_up_with_a_message(env, message):
    result = _manage("check", DJANGO_SETTINGS_MODULE="crm.settings.dev", **env)
    assert result.returncode != 0
    assert message in result.stderr
