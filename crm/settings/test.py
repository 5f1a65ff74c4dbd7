"""Test mode: the same settings as development with fast password hashing.

``CRM_REQUIRE_SERVICES=1`` (set by ``.ci/run``) turns a missing PostgreSQL or Redis into an error
instead of a fallback, so CI can never pass by silently skipping.
"""

import os
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, env_bool

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
