"""Celery adapters for staff work: one service called; retries follow CrmTask's policy."""

from celery import shared_task

from . import services


@shared_task
def tasks_overdue_notify() -> int:
    """Hourly: tell owners of open tasks past their due day, once per task."""
    return services.tasks_overdue_notify()
