"""Celery adapters for data rights: ids in, one service called."""

from celery import shared_task

from . import access, retention, subject_access


@shared_task
def subject_access_write(export_id: int) -> str:
    """Write one subject-access export; a failure is recorded on the export, not raised."""
    export = subject_access.subject_access_write(export_id=export_id)
    return export.status if export is not None else "not queued"


@shared_task
def subject_access_expire() -> int:
    """Daily: delete subject-access files older than CRM_EXPORT_KEEP_DAYS."""
    return subject_access.subject_access_expire()


@shared_task
def access_log_forget() -> int:
    """Daily: forget access log entries older than CRM_ACCESS_LOG_DAYS."""
    return access.access_log_forget()


@shared_task
def retention_apply() -> str:
    """Nightly: apply the enabled retention rules (a run of the job mechanism), unless one is
    running already or no rule is enabled."""
    from django.core.exceptions import ValidationError

    if not retention.retention_rules_enabled():
        return "no rule enabled"
    try:
        run = retention.retention_run_request(dry_run=False)
    except ValidationError as error:
        return " ".join(error.messages)
    return f"run {run.pk}"
