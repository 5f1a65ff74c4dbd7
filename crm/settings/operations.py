"""Settings of the operators' side: Celery's queues and routes, health, metrics and logs.
``base.py`` imports this at its end; production.py adds the JSON log format.

It reads its environment itself (base.py imports it, so it cannot import base.py back)."""

import os

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from crm.jobs.queues import DEFAULT, QUEUES, REALTIME, REALTIME_TASKS

env = environ.Env()


def _seconds(name: str, *, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds, at least {minimum}")
    return int(raw)


# --- Queues (declared in crm/jobs/queues.py) ------------------------------------------------------
# Each queue is its own Redis list; a worker started without -Q consumes every one of them.
CELERY_TASK_QUEUES = tuple(Queue(name, Exchange(name), routing_key=name) for name in QUEUES)
CELERY_TASK_DEFAULT_QUEUE = DEFAULT
CELERY_TASK_DEFAULT_EXCHANGE = DEFAULT
CELERY_TASK_DEFAULT_ROUTING_KEY = DEFAULT
CELERY_TASK_ROUTES = (
    # A job's dispatch and chunks: the kind's queue (the job services name it themselves).
    "crm.jobs.queues.job_task_route",
    {name: {"queue": REALTIME} for name in REALTIME_TASKS},
)
# A worker's heartbeat events let `celery inspect` and the health check see it.
CELERY_WORKER_SEND_TASK_EVENTS = False

# --- Health --------------------------------------------------------------------------------------
# /health/workers/ fails when beat has sent no periodic task for this long. Its database
# scheduler saves the last runs every three minutes, so less would fail a healthy beat.
CRM_BEAT_SILENCE_SECONDS = _seconds("CRM_BEAT_SILENCE_SECONDS", default=600, minimum=240)

# --- Metrics -------------------------------------------------------------------------------------
# /metrics answers only a request with "Authorization: Bearer <this>"; unset, nobody.
# Generate with: python -c "import secrets; print(secrets.token_urlsafe(32))"
CRM_METRICS_TOKEN = env.str("CRM_METRICS_TOKEN", default="")
# django-prometheus: no migration metrics at start-up (they query the database on import).
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Static files --------------------------------------------------------------------------------
# Where ``collectstatic`` writes: the image's build step and ``deploy/check`` name their own.
if os.environ.get("CRM_STATIC_ROOT"):
    STATIC_ROOT = env.path("CRM_STATIC_ROOT")

# --- Logs ----------------------------------------------------------------------------------------
# Production's format (crm/settings/production.py sets LOGGING to it): one JSON object a line on
# standard output, for the log shipper; each line carries the request id and the user's id.
JSON_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "crm.operations.logs.JsonLineFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
