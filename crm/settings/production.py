"""Production mode: ``DJANGO_SETTINGS_MODULE=crm.settings.production``.

Refuses to start without a strong secret key, named allowed hosts, the keys that encrypt partner
secrets, PostgreSQL, a broker, a mail server and the https address customers reach the survey
pages at. ``manage.py check --deploy`` is clean in this mode.
"""

from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from .base import *  # noqa: F403
from .base import (
    CELERY_BROKER_URL,
    CRM_LOOKUP_KEY,
    CRM_SECRETS_KEY,
    DATABASES,
    env,
    env_bool,
    env_int,
)

GENERATE_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(64))"'
GENERATE_FERNET_KEY = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)
# Words that mark a value copied from an example rather than generated.
PLACEHOLDER_WORDS = (
    "insecure",
    "changeme",
    "change-me",
    "change_me",
    "placeholder",
    "example",
    "replace",
    "secretkey",
    "secret-key",
    "secret_key",
    "your-",
    "your_",
    "dummy",
)


def secret_key_weakness(key: str) -> str | None:
    """Why ``key`` cannot sign sessions and links in production, or None when it can."""
    if len(key) < 50:
        return "must be at least 50 random characters"
    if len(set(key)) < 10:
        return "has too few distinct characters to be random"
    if any(key == (key[:period] * len(key))[: len(key)] for period in range(1, len(key) // 3 + 1)):
        return "repeats a short pattern"
    lowered = key.lower()
    if lowered.startswith("django-insecure") or any(w in lowered for w in PLACEHOLDER_WORDS):
        return "is a placeholder, not a generated key"
    return None


def wildcard_hosts(hosts: list[str]) -> list[str]:
    """Entries that match any host: ``*`` and the like. ``.example.com`` names a domain."""
    return [host for host in hosts if not host.strip().strip("*.")]


DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
if weakness := secret_key_weakness(SECRET_KEY):
    raise ImproperlyConfigured(f"DJANGO_SECRET_KEY {weakness}; generate one with {GENERATE_SECRET}")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS or wildcard_hosts(ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "DJANGO_ALLOWED_HOSTS must name the hosts the site answers to (e.g. crm.example.com), "
        "not a wildcard such as '*': another host's name would reach the site"
    )
if not CRM_SECRETS_KEY:
    raise ImproperlyConfigured(
        "Production needs CRM_SECRETS_KEY, the key that encrypts partner secrets; generate one "
        f"with {GENERATE_FERNET_KEY}"
    )
if len(CRM_LOOKUP_KEY) < 32:
    raise ImproperlyConfigured(
        "Production needs CRM_LOOKUP_KEY (32 characters or more), the key of the hashes that "
        f"find national ids and duplicates; generate one with {GENERATE_SECRET}"
    )
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production needs DATABASE_URL pointing to PostgreSQL")
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("Production needs CELERY_BROKER_URL pointing to Redis")
if not env.str("EMAIL_URL", default=""):
    raise ImproperlyConfigured("Production needs EMAIL_URL (e.g. smtp+tls://user:pass@host:587)")
CRM_PUBLIC_URL = env.str("CRM_PUBLIC_URL").rstrip("/")
if not CRM_PUBLIC_URL.startswith("https://"):
    raise ImproperlyConfigured("CRM_PUBLIC_URL must be an https:// address in production")
if not validate_host(urlparse(CRM_PUBLIC_URL).hostname or "", ALLOWED_HOSTS):
    raise ImproperlyConfigured("CRM_PUBLIC_URL's host must be one of DJANGO_ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", default=31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Static files are compressed and named after their content by ``manage.py collectstatic``, a
# deploy step. A file that step did not collect is linked by its plain name and logged as an
# error naming the step, rather than failing every page that links it.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "crm.staticfiles.CollectedStaticFilesStorage"},
}

# Partner API: rate limits must count across every server process, so the cache is shared:
# CACHE_URL, or else the broker's Redis.
if not env.str("CACHE_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CELERY_BROKER_URL,
        }
    }
CRM_HUB_ALLOW_PRIVATE_CALLBACKS = env_bool("CRM_HUB_ALLOW_PRIVATE_CALLBACKS", default=False)
CRM_HUB_REQUIRE_HTTPS = env_bool("CRM_HUB_REQUIRE_HTTPS", default=True)
# Managers and administrators sign in with a second factor.
CRM_REQUIRE_SECOND_FACTOR = env_bool("CRM_REQUIRE_SECOND_FACTOR", default=True)

# One JSON object a line (crm/settings/operations.py); workers too: Celery keeps Django's LOGGING.
LOGGING = JSON_LOGGING  # noqa: F405
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
