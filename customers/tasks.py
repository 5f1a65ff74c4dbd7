"""Celery tasks: ids in, one service called; retries and failure handling live here."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError, OperationalError

from customers.models import DuplicateScan, HubDelivery, ImportJob
from customers.services import invoices_mark_missed, leads_flag_stale
from customers.services.duplicate_scans import (
    duplicate_scan_chunk_run,
    duplicate_scan_fail,
    duplicate_scan_resume,
)
from customers.services.hub import hub_deliveries_due
from customers.services.hub import hub_delivery_send as hub_deliver
from customers.services.imports import import_job_fail, import_job_run

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=True)
def flag_stale_leads(older_than_days: int | None = None) -> int:
    """Nightly: flag leads nobody has touched for CRM_STALE_LEAD_DAYS. Safe to run twice."""
    return leads_flag_stale(older_than_days=older_than_days or settings.CRM_STALE_LEAD_DAYS)


@shared_task(acks_late=True, autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def mark_missed_payments() -> int:
    """Daily: mark unpaid invoices past their due date as missed. Safe to run twice."""
    return invoices_mark_missed()


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    max_retries=5,
    retry_backoff=True,
)
def duplicate_scan_chunk(self, chunk_id: int) -> int:
    """Scan one id range. Any number of workers may take chunks; each runs once."""
    try:
        return duplicate_scan_chunk_run(chunk_id=chunk_id)
    except DatabaseError as error:
        if isinstance(error, OperationalError) and self.request.retries < self.max_retries:
            raise
        scan = DuplicateScan.objects.filter(chunks__pk=chunk_id).first()
        if scan is not None:
            duplicate_scan_fail(scan=scan, error=f"chunk {chunk_id}: {error}")
        logger.exception("Duplicate scan chunk %s failed", chunk_id)
        raise


@shared_task(acks_late=True)
def duplicate_scan_dispatch(scan_id: int) -> int:
    """Queue every chunk of the scan that is still to do; also how a stalled scan resumes."""
    scan = DuplicateScan.objects.get(pk=scan_id)
    pending = duplicate_scan_resume(scan=scan)
    for chunk_id in pending:
        duplicate_scan_chunk.delay(chunk_id)
    return len(pending)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError,),
    max_retries=5,
    retry_backoff=True,
)
def import_job_process(self, job_id: int) -> int:
    """Run an import. A redelivered or retried task resumes where the last batch committed."""
    try:
        job = import_job_run(job_id=job_id)
    except OperationalError:
        if self.request.retries < self.max_retries:
            raise
        import_job_fail(job=ImportJob.objects.get(pk=job_id), error="the database was unreachable")
        raise
    except Exception as error:
        import_job_fail(job=ImportJob.objects.get(pk=job_id), error=str(error))
        logger.exception("Import %s failed", job_id)
        raise
    return job.rows_created


@shared_task(acks_late=True, autoretry_for=(OperationalError,), max_retries=3, retry_backoff=True)
def hub_delivery_send(delivery_id: int) -> str:
    """Send one event to one hub. A failure is recorded on the delivery and retried later."""
    outcome = hub_deliver(delivery_id)
    if outcome == "retry":
        # The sweep would find it too; scheduling it here keeps the first retries prompt.
        delay = HubDelivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True)
        hub_delivery_send.apply_async((delivery_id,), eta=delay.first())
    return outcome


@shared_task(acks_late=True)
def hub_deliveries_sweep() -> int:
    """Every minute: send what is due, including deliveries whose message never arrived."""
    due = hub_deliveries_due()
    for delivery_id in due:
        hub_delivery_send.delay(delivery_id)
    return len(due)
