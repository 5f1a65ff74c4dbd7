"""Celery tasks of the shared mechanisms."""

from celery import shared_task

from crm.handoff import handoffs_sweep


@shared_task
def handoffs_send() -> int:
    """Every minute: send the work that the broker could not take when it was handed over."""
    return handoffs_sweep()
