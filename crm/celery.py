"""The Celery application. Every periodic schedule of the product is declared here, once.

django-celery-beat's database scheduler copies these entries into its tables on start-up, so
operators can change times or disable a job in Django admin without a deploy.
"""

import os
from contextlib import contextmanager

from celery import Celery, Task
from celery.schedules import crontab
from django.db import InterfaceError, OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")


class CrmTask(Task):
    """The retry policy of every task, stated once: a database or connection that is briefly
    away is tried again three times, waiting longer each time. Messages are acknowledged
    after the task and given back when a worker dies (CELERY_TASK_ACKS_LATE and
    CELERY_TASK_REJECT_ON_WORKER_LOST in the settings)."""

    autoretry_for = (OperationalError, InterfaceError, ConnectionError)
    max_retries = 3
    retry_backoff = True
    retry_backoff_max = 600
    retry_jitter = True


app = Celery("crm", task_cls=CrmTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
# The embedded default runs tasks in-process; an in-memory transport stands in for the broker
# instead of kombu's default (AMQP on localhost), which nothing here listens on.
app.conf.broker_url = app.conf.broker_url or "memory://localhost/"
app.autodiscover_tasks()
app.autodiscover_tasks(["crm.jobs"])  # the job mechanism's tasks, inside the crm package

app.conf.beat_schedule = {
    "flag-stale-leads-nightly": {
        "task": "customers.tasks.flag_stale_leads",
        "schedule": crontab(hour=2, minute=15),
    },
    # Before the nightly scoring, so the rescores it asks for are in by morning.
    "mark-missed-payments-daily": {
        "task": "customers.tasks.mark_missed_payments",
        "schedule": crontab(hour=1, minute=30),
    },
    "send-due-hub-deliveries": {
        "task": "customers.partners.tasks.hub_deliveries_sweep",
        "schedule": crontab(minute="*"),
    },
    "score-customers-nightly": {
        "task": "risk.tasks.scoring_run_start",
        "schedule": crontab(hour=3, minute=0),
    },
    "send-waiting-handoffs": {
        "task": "crm.tasks.handoffs_send",
        "schedule": crontab(minute="*"),
    },
    "forget-idempotency-keys-daily": {
        "task": "customers.partners.tasks.idempotency_keys_forget",
        "schedule": crontab(hour=5, minute=0),
    },
    "delete-old-export-files-daily": {
        "task": "crm.exports.tasks.exports_expire",
        "schedule": crontab(hour=4, minute=30),
    },
    "forget-old-access-log-entries-daily": {
        "task": "privacy.tasks.access_log_forget",
        "schedule": crontab(hour=4, minute=45),
    },
    "delete-old-subject-access-files-daily": {
        "task": "privacy.tasks.subject_access_expire",
        "schedule": crontab(hour=4, minute=50),
    },
    # After the night's other work; a dry run from the retention page comes first.
    "apply-retention-rules-nightly": {
        "task": "privacy.tasks.retention_apply",
        "schedule": crontab(hour=5, minute=30),
    },
    "resume-background-jobs": {
        "task": "crm.jobs.tasks.jobs_resume",
        "schedule": crontab(minute="*/5"),
    },
    "resume-rescores": {
        "task": "risk.tasks.rescores_resume",
        "schedule": crontab(minute="*/5"),
    },
    "invite-to-relationship-surveys-daily": {
        "task": "satisfaction.tasks.relationship_surveys_invite",
        "schedule": crontab(hour=10, minute=0),
    },
    "remind-survey-invitations-daily": {
        "task": "satisfaction.tasks.invitations_remind",
        "schedule": crontab(hour=11, minute=0),
    },
    # Early, so owners find the overdue notices when their day starts.
    "notify-overdue-tasks-daily": {
        "task": "work.tasks.tasks_overdue_notify",
        "schedule": crontab(hour=6, minute=0),
    },
    # After the nightly scoring run, so value at risk is the night's.
    "recount-home-tallies-nightly": {
        "task": "home.tasks.business_tallies_recount_nightly",
        "schedule": crontab(hour=5, minute=15),
    },
    # Challengers of the learned models, once a month (risk.challengers says why monthly);
    # after the night's scoring run, before the day.
    "retrain-challengers-monthly": {
        "task": "risk.tasks.models_retrain",
        "schedule": crontab(hour=4, minute=0, day_of_month=2),
    },
    # Lifecycle messages whose contact window has opened, or whose hand-off was lost.
    "send-due-lifecycle-messages": {
        "task": "messaging.tasks.outbound_messages_sweep",
        "schedule": crontab(minute="*"),
    },
    # Used and expired portal sign-in codes, and the sign-in log past its keeping.
    "purge-portal-sign-ins-nightly": {
        "task": "portal.tasks.sign_in_records_purge",
        "schedule": crontab(hour=3, minute=45),
    },
    # On the 1st, after the night's jobs: the statements of the month before.
    "write-monthly-statements": {
        "task": "statements.tasks.statements_generate_monthly",
        "schedule": crontab(hour=6, minute=30, day_of_month=1),
    },
}


@contextmanager
def broker_pointed_at(url: str):
    """Send through the broker at ``url`` for a while (its connection pools and the result
    backend too), then back: how tests and benchmarks take the broker away, with a URL where
    nothing listens. Celery reads the broker's address from the environment first."""
    from crm.handoff import broker_rest_end

    saved = os.environ.get("CELERY_BROKER_URL"), app.conf.broker_url, app.conf.result_backend

    def point(environment, broker, backend):
        if environment is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = environment
        app.conf.broker_url, app.conf.result_backend = broker, backend
        app._pool = None
        app.amqp._producer_pool = None
        app._local.__dict__.pop("backend", None)
        broker_rest_end()

    point(url, url, url)
    try:
        yield
    finally:
        point(*saved)
