"""Celery tasks of exports."""

from celery import shared_task

from . import services


@shared_task
def exports_expire() -> int:
    """Daily: delete export files older than CRM_EXPORT_KEEP_DAYS."""
    return services.exports_expire()
