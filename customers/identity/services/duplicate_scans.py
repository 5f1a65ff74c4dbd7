"""The background duplicate scan over the whole base: the "duplicate_scan" job kind (see
``crm.jobs``), in chunks of party ids any worker can take."""

from django.db.models import Max, Min

from crm.jobs import services as jobs
from crm.jobs.kinds import job_kind
from customers.identity.models import DuplicateScan, DuplicateScanChunk, IdentityKey
from customers.identity.services.pairs import duplicates_find_in_party_range

KIND = "duplicate_scan"


def duplicate_scan_start(*, actor=None, chunk_size: int = 5000) -> DuplicateScan:
    """Plan a scan of the whole base as id-range chunks; one scan runs at a time."""
    bounds = IdentityKey.objects.aggregate(first=Min("party_id"), last=Max("party_id"))
    first, last = bounds["first"] or 0, bounds["last"] or 0
    return jobs.job_plan(
        job_kind(KIND),
        ranges=jobs.id_ranges(first, last, chunk_size),
        requested_by=actor if getattr(actor, "pk", None) else None,
        first_party_id=first,
        last_party_id=last,
        chunk_size=chunk_size,
    )


def duplicate_scan_request(*, actor=None) -> DuplicateScan:
    """Start a scan from a page: planned at once, carried out by workers after commit."""
    scan = duplicate_scan_start(actor=actor)
    jobs.job_request(job_kind(KIND), scan)
    return scan


def duplicate_scan_chunk_work(scan: DuplicateScan, chunk: DuplicateScanChunk) -> dict[str, int]:
    """Compare the parties of one chunk with their candidates; new pairs go to the review
    queue in the transaction that marks the chunk done."""
    compared, found = duplicates_find_in_party_range(
        first_party_id=chunk.first_id, last_party_id=chunk.last_id
    )
    return {"pairs_found": found, "pairs_compared": compared}


# --- The job's steps, by name, for commands and tests ------------------------------------------


def duplicate_scan_pending_chunks(*, scan: DuplicateScan) -> list[int]:
    """Chunks still to do: never claimed, or claimed by a worker that did not finish in time."""
    return jobs.job_chunks_pending(job_kind(KIND), run_id=scan.pk)


def duplicate_scan_chunk_run(*, chunk_id: int) -> int:
    """Scan one chunk; the pairs it stored (0 when another worker has it or had it)."""
    counts = jobs.job_chunk_run(job_kind(KIND), chunk_id=chunk_id)
    return counts["pairs_found"] if counts else 0


def duplicate_scan_resume(*, scan: DuplicateScan) -> list[int]:
    """Take up a failed or stalled scan again; returns the chunks still to do."""
    return jobs.job_reopen(job_kind(KIND), run=scan)


def duplicate_scan_fail(*, scan: DuplicateScan, error: str) -> None:
    jobs.job_fail(job_kind(KIND), run=scan, error=error)
