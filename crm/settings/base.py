"""Settings shared by every mode. The environment is read here and nowhere else.

With no environment at all the product runs on its embedded default: a SQLite file next to
``manage.py`` and Celery tasks executed in-process. ``DATABASE_URL`` and ``CELERY_BROKER_URL``
switch to PostgreSQL and Redis. Bad values raise at start-up instead of surfacing later.
"""

from datetime import timedelta
from pathlib import Path

import environ
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, *, default: bool) -> bool:
    """Like env.bool, but a typo such as DJANGO_DEBUG=ture is an error, not False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE or value in _FALSE:
        return value in _TRUE
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, *, default: int, minimum: int | None = None) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


DEBUG = env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A refused form on a public page (a survey, the partner application) is explained in the
# visitor's language; staff pages keep Django's page.
CSRF_FAILURE_VIEW = "crm.public_errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # The trigram lookups of the global search (PostgreSQL only; harmless on SQLite).
    "django.contrib.postgres",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crm",
    "crm.signin",
    "crm.exports",
    "crm.savedviews",
    "crm.operations",
    "customers",
    "customers.identity",
    "customers.partners",
    # Field history: database triggers record every change to a customer's own data.
    "pgtrigger",
    "pghistory",
    "customers.history",
    "risk",
    "satisfaction",
    "work",
    "home",
    "privacy",
    # The customer's own touch points: lifecycle messages, statements, the self-service portal.
    "messaging",
    "statements",
    "portal",
    "retention",
]

# The history triggers are installed after every migrate (PostgreSQL only), not written into
# the migrations of the apps whose tables they watch.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True
# The moment of each change, not its transaction's start: changes list in the order made.
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "crm.operations.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's sessions, with the customer portal's (/my/) under a cookie of its own.
    "portal.sessions.PortalSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm.signin.sessions.SessionTimeoutMiddleware",
    "crm.staff.StaffOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Turns a lockout noticed during sign-in into the login page saying so (crm/signin/lockout.py).
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Project templates may override Django's form templates (templates/django/forms/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a background job writes; the busy timeout makes a
    # writer wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # SQLite builds the covering indexes (the invoices' and interactions' by customer) without
    # their included columns: they still serve as the plain indexes they are on it.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", default=60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    raise ImproperlyConfigured(
        f"DATABASE_URL must point to PostgreSQL or SQLite, not {DATABASES['default']['ENGINE']}"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "login"

# --- Staff sign-in (crm/signin/, the rule in crm/staff.py) ---------------------------------------
# Passwords go through django-axes' lockout check first; the partner API's tokens do not.
AUTHENTICATION_BACKENDS = [
    "crm.signin.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# This many wrong passwords for one username from one address lock that pair out this long.
CRM_SIGNIN_FAILURE_LIMIT = env_int("CRM_SIGNIN_FAILURE_LIMIT", default=5, minimum=1)
CRM_SIGNIN_COOLOFF_MINUTES = env_int("CRM_SIGNIN_COOLOFF_MINUTES", default=15, minimum=1)
AXES_FAILURE_LIMIT = CRM_SIGNIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=CRM_SIGNIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crm.signin.lockout.locked_out"
# The sign-in log (crm.signin.SignInEvent) records sign-ins and sign-outs; axes keeps only the
# failed attempts it counts.
AXES_DISABLE_ACCESS_LOG = True
# Its start-up banner and per-attempt lines would repeat what the sign-in log keeps.
AXES_VERBOSE = False
# A session unused this long, or this old since its sign-in, is signed out.
CRM_SESSION_IDLE_MINUTES = env_int("CRM_SESSION_IDLE_MINUTES", default=30, minimum=1)
CRM_SESSION_MAX_HOURS = env_int("CRM_SESSION_MAX_HOURS", default=12, minimum=1)
SESSION_COOKIE_AGE = CRM_SESSION_MAX_HOURS * 3600
# Superusers and members of these roles (customers/roles.py) must verify a TOTP code after the
# password when this is on; anyone may set one up, and whoever did is then always asked.
CRM_REQUIRE_SECOND_FACTOR = env_bool("CRM_REQUIRE_SECOND_FACTOR", default=False)
CRM_SECOND_FACTOR_ROLES = ["manager", "administrator"]
OTP_TOTP_ISSUER = env.str("CRM_SECOND_FACTOR_ISSUER", default="CRM")
# Django admin lists second-factor devices without their keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("CRM_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded import files; never served publicly.
MEDIA_ROOT = env.path("CRM_MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
CRM_IMPORT_MAX_BYTES = env_int("CRM_IMPORT_MAX_BYTES", default=200 * 1024 * 1024, minimum=1024)

# Content Security Policy: everything the UI uses is served by the project itself.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Celery -----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
if CELERY_BROKER_URL and not CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CELERY_BROKER_URL must be a redis:// or rediss:// URL")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
# Without a broker the embedded default runs every task in-process, synchronously.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request hands work over (crm/handoff.py) and must not wait for a broker that is away: the
# work waits in the database for the sweep instead. So a connection to Redis is given up after
# half a second, and neither a send nor the result subscription that goes with it retries.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "max_retries": 0,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 0.5
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}

# --- E-mail -----------------------------------------------------------------------------------
# EMAIL_URL as django-environ reads it: smtp+tls://user:password@host:587, or consolemail:// (the
# embedded default, which prints messages) for a machine without a mail server.
_email = env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS", False),
    "use_ssl": _email.get("EMAIL_USE_SSL", False),
    "timeout": 30,
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Customer care <care@crm.example>")
# The address customers reach the public pages at (survey links in e-mails and SMS).
CRM_PUBLIC_URL = env.str("CRM_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
if not CRM_PUBLIC_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("CRM_PUBLIC_URL must start with http:// or https://")

# --- Product rules ----------------------------------------------------------------------------
CRM_STALE_LEAD_DAYS = env_int("CRM_STALE_LEAD_DAYS", default=30, minimum=1)
CRM_DEFAULT_PHONE_REGION = env.str("CRM_DEFAULT_PHONE_REGION", default="GB")
# The billing currency of customers created without one (ISO 4217), and the locale staff pages
# format amounts, dates and numbers in (a CLDR locale such as en_GB, de_DE or fr_FR).
CRM_CURRENCY = env.str("CRM_CURRENCY", default="EUR").upper()
if not (len(CRM_CURRENCY) == 3 and CRM_CURRENCY.isalpha()):
    raise ImproperlyConfigured(
        f"CRM_CURRENCY must be an ISO 4217 code such as EUR, not {CRM_CURRENCY!r}"
    )
CRM_LOCALE = env.str("CRM_LOCALE", default="en_GB")
# A chunk of a background job (scoring run, duplicate scan, import) held this long by a worker
# that never finished it goes to another worker.
CRM_JOB_LEASE_SECONDS = env_int("CRM_JOB_LEASE_SECONDS", default=600, minimum=1)
# Who opened a customer's page or downloaded their data is kept this many days.
CRM_ACCESS_LOG_DAYS = env_int("CRM_ACCESS_LOG_DAYS", default=365, minimum=1)
# A background export's file is deleted this many days after it was written: a list's rows are
# personal data, kept no longer than someone needs to download them.
CRM_EXPORT_KEEP_DAYS = env_int("CRM_EXPORT_KEEP_DAYS", default=7, minimum=1)
# Work handed to Celery that the broker has not taken this long after its change committed is
# sent by the minute's sweep (crm.tasks.handoffs_send).
CRM_HANDOFF_GRACE_SECONDS = env_int("CRM_HANDOFF_GRACE_SECONDS", default=30, minimum=1)
# At most one survey invitation per customer in this many days, whatever the survey.
SATISFACTION_FATIGUE_DAYS = env_int("SATISFACTION_FATIGUE_DAYS", default=30, minimum=0)
# Events on one customer within this window (a complaint, then a late payment) share one rescore.
RISK_RESCORE_DELAY_SECONDS = env_int("RISK_RESCORE_DELAY_SECONDS", default=30, minimum=0)

# --- Cache -------------------------------------------------------------------------------------
# Shared by every server process when CACHE_URL points to Redis (production): the partner API's
# rate limits count there. The embedded default keeps a per-process cache in memory.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# --- Partner API (TMF629) -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "customers.partners.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["customers.partners.api.parsers.LimitedJSONParser"],
    "EXCEPTION_HANDLER": "customers.partners.api.errors.tmf_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    # Each API serves its own document, with its own title and version (api/urls.py).
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVERS": [{"url": "/"}],
    # Replaced by the partners app's check of each API's own document.
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
}
# The largest request body the API reads; a customer with every attribute is a few kilobytes.
CRM_API_MAX_BODY_BYTES = env_int("CRM_API_MAX_BODY_BYTES", default=64 * 1024, minimum=1024)
CRM_API_MAX_LIMIT = 1000
# Webhook delivery: tries before a delivery is dead, the first pause (doubling after each
# failure), and how long one call may take.
CRM_HUB_MAX_ATTEMPTS = env_int("CRM_HUB_MAX_ATTEMPTS", default=8, minimum=1)
CRM_HUB_RETRY_BASE_SECONDS = env_int("CRM_HUB_RETRY_BASE_SECONDS", default=60, minimum=1)
CRM_HUB_TIMEOUT_SECONDS = env_int("CRM_HUB_TIMEOUT_SECONDS", default=10, minimum=1)
# Callbacks into loopback or private networks would let a partner reach our own services;
# allowed only where everything runs on one machine (development, tests).
CRM_HUB_ALLOW_PRIVATE_CALLBACKS = env_bool("CRM_HUB_ALLOW_PRIVATE_CALLBACKS", default=DEBUG)
CRM_HUB_REQUIRE_HTTPS = env_bool("CRM_HUB_REQUIRE_HTTPS", default=not DEBUG)
# How long an Idempotency-Key's answer is kept for a partner that sends its create again.
CRM_IDEMPOTENCY_HOURS = env_int("CRM_IDEMPOTENCY_HOURS", default=24, minimum=1)
# The ports a callback may use, e.g. "443,8443"; unset: 443, and 80 where https is not required.
CRM_HUB_ALLOWED_PORTS = frozenset(env.list("CRM_HUB_ALLOWED_PORTS", cast=int, default=[]))
# After a hub's signing secret is rotated, deliveries carry a signature with the old one too
# for this long, so the partner can switch without refusing events.
CRM_HUB_SECRET_OVERLAP_HOURS = env_int("CRM_HUB_SECRET_OVERLAP_HOURS", default=24, minimum=0)
# Fernet keys that encrypt partner secrets at rest (crm/sealed.py), comma-separated: the first
# encrypts, every one decrypts, so a new key goes first and the old one stays behind it. Unset,
# development and tests use a fixed key; production refuses to start.
CRM_SECRETS_KEY = env.list("CRM_SECRETS_KEY", default=[])
for _key in CRM_SECRETS_KEY:
    try:
        Fernet(_key)
    except ValueError:
        raise ImproperlyConfigured(
            "CRM_SECRETS_KEY must be Fernet keys (32 url-safe base64-encoded bytes), "
            "comma-separated"
        ) from None
# The key of the keyed hashes (HMAC-SHA256) that find encrypted values by equality: a national
# id, and the blocking keys of duplicate detection (crm/sealed.py). Changing it means running
# ``manage.py lookup_digests_rebuild`` (and ``rebuild_identity_keys``) before matching works
# again. Unset, development and tests use a fixed key; production refuses to start.
CRM_LOOKUP_KEY = env.str("CRM_LOOKUP_KEY", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own default configuration gives its logger a console handler too: without this,
    # everything Django logs (the reloader's "Watching for file changes" among it) shows twice.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

from .operations import *  # noqa: E402,F403
