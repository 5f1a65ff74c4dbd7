"""Production mode: ``DJANGO_SETTINGS_MODULE=crm.settings.production``.

Refuses to start without a real secret key, allowed hosts, PostgreSQL, a broker, a mail server
and the https address customers reach the survey pages at.
``manage.py check --deploy`` is clean in this mode.
"""

from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured
from django.http.request import validate_host

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, env, env_bool, env_int

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 random characters")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
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

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
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
