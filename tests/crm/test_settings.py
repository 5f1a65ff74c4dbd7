"""Configuration fails fast on bad values, and production mode passes Django's deploy checklist."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.test import override_settings
from django.urls import reverse

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


def _production(**env) -> dict:
    """A production environment that starts, with ``env`` changed."""
    return {
        "DJANGO_SETTINGS_MODULE": "crm.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "crm.example.com",
        "CRM_SECRETS_KEY": Fernet.generate_key().decode(),
        "CRM_LOOKUP_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": "postgres://crm@db.example.com:5432/crm",
        "CELERY_BROKER_URL": "redis://redis.example.com:6379/0",
        "EMAIL_URL": "smtp+tls://crm:secret@mail.example.com:587",
        "CRM_PUBLIC_URL": "https://crm.example.com",
        **env,
    }


def test_production_settings_pass_the_deployment_checklist():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **_production())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


RANDOM = secrets.token_urlsafe(48)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY must be at least 50"),
        ({"DJANGO_SECRET_KEY": "a" * 60}, "DJANGO_SECRET_KEY has too few distinct characters"),
        ({"DJANGO_SECRET_KEY": "0123456789abcdef" * 4}, "DJANGO_SECRET_KEY repeats a short"),
        ({"DJANGO_SECRET_KEY": f"django-insecure-{RANDOM}"}, "DJANGO_SECRET_KEY is a placeholder"),
        ({"DJANGO_SECRET_KEY": f"change-me-{RANDOM}"}, "DJANGO_SECRET_KEY is a placeholder"),
        ({"DJANGO_SECRET_KEY": f"your-secret-key-{RANDOM}"}, "DJANGO_SECRET_KEY is a placeholder"),
        ({"DJANGO_ALLOWED_HOSTS": "*"}, "DJANGO_ALLOWED_HOSTS must name the hosts"),
        ({"DJANGO_ALLOWED_HOSTS": "crm.example.com,*"}, "DJANGO_ALLOWED_HOSTS must name the hosts"),
        ({"DJANGO_ALLOWED_HOSTS": ".*"}, "DJANGO_ALLOWED_HOSTS must name the hosts"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "DJANGO_ALLOWED_HOSTS must name the hosts"),
        ({"CRM_SECRETS_KEY": ""}, "Production needs CRM_SECRETS_KEY"),
        ({"CRM_LOOKUP_KEY": ""}, "Production needs CRM_LOOKUP_KEY"),
        ({"CRM_LOOKUP_KEY": "short"}, "Production needs CRM_LOOKUP_KEY"),
        ({"DATABASE_URL": "sqlite:////tmp/crm.sqlite3"}, "Production needs DATABASE_URL"),
        ({"CELERY_BROKER_URL": ""}, "Production needs CELERY_BROKER_URL"),
        ({"EMAIL_URL": ""}, "Production needs EMAIL_URL"),
        ({"CRM_PUBLIC_URL": "http://crm.example.com"}, "CRM_PUBLIC_URL must be an https://"),
        ({"CRM_PUBLIC_URL": "https://elsewhere.example"}, "must be one of DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(env, message):
    result = _manage("check", **_production(**env))
    assert result.returncode != 0
    assert message in result.stderr


def test_production_accepts_a_domain_with_its_subdomains_among_the_allowed_hosts():
    result = _manage("check", **_production(DJANGO_ALLOWED_HOSTS=".example.com"))
    assert result.returncode == 0, result.stderr


def test_production_links_a_static_file_that_was_never_collected_instead_of_failing():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.templatetags.static import static; print(static('crm/never-collected.css'))",
        **_production(),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/static/crm/never-collected.css"
    assert "was not collected: run `python manage.py collectstatic" in result.stderr


@pytest.mark.django_db
def test_a_page_answers_when_static_files_were_not_collected(client, tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "crm.staticfiles.CollectedStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        response = client.get(reverse("partner_apply"))

    assert response.status_code == 200
    assert 'href="/static/' in response.content.decode()


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
        ({"CRM_SECRETS_KEY": "not-a-key"}, "CRM_SECRETS_KEY must be Fernet keys"),
        ({"CRM_HUB_SECRET_OVERLAP_HOURS": "-1"}, "CRM_HUB_SECRET_OVERLAP_HOURS must be at least 0"),
    ],
)
def test_bad_configuration_values_stop_start_up_with_a_message(env, message):
    result = _manage("check", DJANGO_SETTINGS_MODULE="crm.settings.dev", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_each_test_process_takes_the_redis_database_after_the_one_configured():
    from django.core.exceptions import ImproperlyConfigured

    from crm.settings.test import _redis_database_moved

    assert _redis_database_moved("redis://127.0.0.1:6379/0", 0) == "redis://127.0.0.1:6379/0"
    assert _redis_database_moved("redis://127.0.0.1:6379/3", 1) == "redis://127.0.0.1:6379/4"
    assert _redis_database_moved("redis://:pw@cache:6379", 2) == "redis://:pw@cache:6379/2"
    with pytest.raises(ImproperlyConfigured, match="Redis database 16"):
        _redis_database_moved("redis://127.0.0.1:6379/15", 1)
