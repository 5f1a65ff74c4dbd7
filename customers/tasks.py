from celery import shared_task
from django.conf import settings

from customers.services import leads_flag_stale


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=True)
def flag_stale_leads(older_than_days: int | None = None) -> int:
    """Nightly: flag leads nobody has touched for CRM_STALE_LEAD_DAYS. Safe to run twice."""
    return leads_flag_stale(older_than_days=older_than_days or settings.CRM_STALE_LEAD_DAYS)
