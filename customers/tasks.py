"""Celery tasks: ids in, one service called; retries follow the one policy in crm.celery.

Duplicate scans and imports are job kinds: their chunks go through ``crm.jobs.tasks``.
"""

from celery import shared_task
from django.conf import settings

from customers.services import invoices_mark_missed, leads_flag_stale


@shared_task
def flag_stale_leads(older_than_days: int | None = None) -> int:
    """Nightly: flag leads nobody has touched for CRM_STALE_LEAD_DAYS. Safe to run twice."""
    return leads_flag_stale(older_than_days=older_than_days or settings.CRM_STALE_LEAD_DAYS)


@shared_task
def mark_missed_payments() -> int:
    """Daily: mark unpaid invoices past their due date as missed. Safe to run twice."""
    return invoices_mark_missed()
