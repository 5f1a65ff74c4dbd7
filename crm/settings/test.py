"""Test mode: the same settings as development with fast password hashing.

``CRM_REQUIRE_SERVICES=1`` (set by ``.ci/run``) turns a missing PostgreSQL or Redis into an error
instead of a fallback, so CI can never pass by silently skipping.
"""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured


def _redis_database_moved(url: str, offset: int) -> str:
    """``url`` with its Redis database number moved on by ``offset`` (redis://host:6379/0 and
    offset 1: redis://host:6379/1)."""
    parts = urlsplit(url)
    number = int(parts.path.strip("/") or 0) + offset
    if number > 15:
        raise ImproperlyConfigured(
            f"Test process {offset} would need Redis database {number}: a Redis server has 16 "
            "by default, so run fewer test processes or start from a lower database."
        )
    return urlunsplit(parts._replace(path=f"/{number}"))


# ``make test`` runs the tests in two processes (pytest-xdist). Each gets a Redis database of
# its own, before the settings below read it: a Celery worker one process starts must never take
# a task the other queued, whose test database it cannot see. Set in the environment, so the
# workers the tests start as processes of their own read the same.
_test_process = os.environ.get("PYTEST_XDIST_WORKER", "")
if _test_process.startswith("gw") and os.environ.get("CELERY_BROKER_URL"):
    os.environ["CELERY_BROKER_URL"] = _redis_database_moved(
        os.environ["CELERY_BROKER_URL"], int(_test_process[2:])
    )

from .base import *  # noqa: E402, F403
from .base import CELERY_BROKER_URL, DATABASES, env_bool  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests that need the second factor turn it on themselves (tests/crm/test_signin_second_factor.py).
CRM_REQUIRE_SECOND_FACTOR = False
CRM_REQUIRE_SERVICES = env_bool("CRM_REQUIRE_SERVICES", default=False)
if CRM_REQUIRE_SERVICES and (
    DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql" or not CELERY_BROKER_URL
):
    raise ImproperlyConfigured(
        "CRM_REQUIRE_SERVICES is set: DATABASE_URL must be PostgreSQL and CELERY_BROKER_URL Redis"
    )
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"crm-test-media-{os.getpid()}"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: concurrent writers then wait on the busy timeout as in production.
    # One file per test process, so two test runs on one machine never share a database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"crm-test-{os.getpid()}.sqlite3")
    }

# Threads the tests start (a Celery worker, the live server) must not keep connections open
# past their work, or the test database could not be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0
