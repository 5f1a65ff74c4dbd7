"""The background duplicate scan over the whole base, in id-range chunks any worker can take."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from customers.models import DuplicateScan, DuplicateScanChunk, IdentityKey

from .identity import duplicates_find_in_party_range

_SCAN_IN_PROGRESS = "A duplicate scan is already running; wait for it to finish."


def duplicate_scan_start(*, actor=None, chunk_size: int = 5000) -> DuplicateScan:
    """Plan a scan of the whole base as id-range chunks; one scan runs at a time."""
    if chunk_size < 1:
        raise ValidationError("The chunk size must be at least 1.")
    bounds = IdentityKey.objects.aggregate(first=Min("party_id"), last=Max("party_id"))
    first, last = bounds["first"] or 0, bounds["last"] or 0
    try:
        with transaction.atomic():
            # The unique constraint allows one queued scan next to one running scan; checking
            # first closes that gap, and the constraint still settles two starts at once.
            in_progress = (DuplicateScan.Status.QUEUED, DuplicateScan.Status.RUNNING)
            if DuplicateScan.objects.filter(status__in=in_progress).exists():
                raise ValidationError(_SCAN_IN_PROGRESS)
            scan = DuplicateScan.objects.create(
                requested_by=actor if getattr(actor, "pk", None) else None,
                requested_at=timezone.now(),
                first_party_id=first,
                last_party_id=last,
                chunk_size=chunk_size,
            )
            chunks = [
                DuplicateScanChunk(
                    scan=scan,
                    first_party_id=start,
                    last_party_id=min(start + chunk_size - 1, last),
                )
                for start in range(first, last + 1, chunk_size)
                if last
            ]
            DuplicateScanChunk.objects.bulk_create(chunks, batch_size=1000)
            scan.chunks_total = len(chunks)
            if not chunks:
                scan.status = DuplicateScan.Status.DONE
                scan.started_at = scan.finished_at = timezone.now()
            scan.save()
    except IntegrityError:
        raise ValidationError(_SCAN_IN_PROGRESS) from None
    return scan


# A chunk claimed longer ago than this by a worker that never finished it (killed, lost) is
# free to be claimed again.
CHUNK_LEASE = timedelta(minutes=10)


def duplicate_scan_chunk_run(*, chunk_id: int) -> int:
    """Scan one chunk; returns the pairs it stored.

    The claim is atomic (an UPDATE that only one worker can win), so a chunk delivered twice is
    scanned once; a chunk whose worker died is taken over when its lease runs out.
    """
    now = timezone.now()
    claimed = (
        DuplicateScanChunk.objects.filter(pk=chunk_id, done_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CHUNK_LEASE))
        .update(claimed_at=now)
    )
    if not claimed:
        return 0
    chunk = DuplicateScanChunk.objects.select_related("scan").get(pk=chunk_id)
    DuplicateScan.objects.filter(pk=chunk.scan_id, status=DuplicateScan.Status.QUEUED).update(
        status=DuplicateScan.Status.RUNNING, started_at=now
    )
    compared, found = duplicates_find_in_party_range(
        first_party_id=chunk.first_party_id, last_party_id=chunk.last_party_id
    )
    with transaction.atomic():
        finished = DuplicateScanChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(
            done_at=timezone.now(), pairs_found=found
        )
        if not finished:
            return found
        DuplicateScan.objects.filter(pk=chunk.scan_id).update(
            chunks_done=F("chunks_done") + 1,
            pairs_found=F("pairs_found") + found,
            pairs_compared=F("pairs_compared") + compared,
        )
        DuplicateScan.objects.filter(
            pk=chunk.scan_id,
            chunks_done__gte=F("chunks_total"),
            status=DuplicateScan.Status.RUNNING,
        ).update(status=DuplicateScan.Status.DONE, finished_at=timezone.now())
    return found


def duplicate_scan_pending_chunks(*, scan: DuplicateScan) -> list[int]:
    """Chunks still to do: never claimed, or claimed by a worker that did not finish in time."""
    stale = timezone.now() - CHUNK_LEASE
    return list(
        scan.chunks.filter(done_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .order_by("first_party_id")
        .values_list("pk", flat=True)
    )


def duplicate_scan_resume(*, scan: DuplicateScan) -> list[int]:
    """Take up a failed or stalled scan again; returns the chunks still to do."""
    DuplicateScan.objects.filter(pk=scan.pk, status=DuplicateScan.Status.FAILED).update(
        status=DuplicateScan.Status.RUNNING, error="", finished_at=None
    )
    scan.refresh_from_db()
    return duplicate_scan_pending_chunks(scan=scan)


def duplicate_scan_fail(*, scan: DuplicateScan, error: str) -> None:
    DuplicateScan.objects.filter(pk=scan.pk).update(
        status=DuplicateScan.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
