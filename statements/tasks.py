"""Celery adapters for statements: ids in, one service called.

A run's chunks go through ``crm.jobs.tasks``.
"""

from celery import shared_task
from django.core.exceptions import ValidationError

from . import delivery, runs


@shared_task
def statements_generate_monthly(period: str | None = None) -> str:
    """On the 1st of each month: close the month before (or ``period``, YYYY-MM), unless a run
    is in progress already."""
    try:
        run = runs.statement_run_request(period=period) if period else runs.statement_run_monthly()
    except ValidationError as error:
        return " ".join(error.messages)
    return f"run {run.pk} for {run.period}"


@shared_task
def statements_deliver_owed(period: str) -> int:
    """Mail the statements of ``period`` that earlier runs left owed an e-mail (run by hand,
    once, for the periods written before statements went out by e-mail)."""
    return delivery.statements_deliver_owed(period=period)
