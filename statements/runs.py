"""Statement runs: the "statements" job kind (see ``crm.jobs``).

A run closes one month for every customer. It is planned as chunks of customer ids; each chunk
reads its customers' figures with a fixed number of queries, writes their documents and
inserts their statements in the transaction that marks it done, so a chunk delivered twice
(or taken over from a dead worker) writes once. A second run of the same period writes only
the statements missing (customers already stated are skipped, and the unique constraint on
customer and period stands behind that).
"""

from datetime import date

from django.db.models import Max, Min
from django.utils import timezone

from crm.jobs import services as jobs
from crm.jobs.kinds import job_kind
from customers.models import Customer
from customers.services.audit import actor_label

from .delivery import statements_deliver
from .figures import customers_due, statement_figures
from .models import StatementChunk, StatementRun
from .periods import Period
from .services import statements_write

KIND = "statements"
CHUNK_SIZE = 1000


def statement_run_start(
    *, period: str | Period, actor=None, chunk_size: int = CHUNK_SIZE
) -> StatementRun:
    """Plan a run closing ``period`` (YYYY-MM) over every customer; one run at a time."""
    period = period if isinstance(period, Period) else Period.parse(period)
    bounds = Customer.objects.aggregate(first=Min("pk"), last=Max("pk"))
    ranges = jobs.id_ranges(bounds["first"] or 0, bounds["last"] or 0, chunk_size)
    return jobs.job_plan(
        job_kind(KIND),
        ranges=ranges,
        period=str(period),
        requested_label=actor_label(actor) if actor else "schedule",
    )


def statement_run_request(*, period: str | Period, actor=None) -> StatementRun:
    """Planned now, carried out by workers once the transaction commits."""
    run = statement_run_start(period=period, actor=actor)
    jobs.job_request(job_kind(KIND), run)
    return run


def statement_run_monthly(*, today: date | None = None) -> StatementRun:
    """The run of the 1st of each month: it closes the month before."""
    return statement_run_request(period=Period.before(today or timezone.localdate()))


def statement_chunk_work(run: StatementRun, chunk: StatementChunk) -> dict[str, int]:
    """Write the statements of one chunk's customers, and the e-mails of those who chose
    e-mail, inside the transaction that marks it done: a chunk delivered twice writes (and
    so sends) once, and a chunk rolled back leaves no e-mail behind."""
    period = Period.parse(run.period)
    customers = list(customers_due(period, first_id=chunk.first_id, last_id=chunk.last_id))
    written = statements_write(statement_figures(customers, period), run=run)
    statements_deliver(written)
    return {"statements_written": len(written)}


# --- The job's steps, by name, for commands and tests ------------------------------------------


def statement_pending_chunks(*, run_id: int) -> list[int]:
    return jobs.job_chunks_pending(job_kind(KIND), run_id=run_id)


def statement_chunk_run(*, chunk_id: int) -> int:
    """Write one chunk; the statements written (0 when another worker has it or had it)."""
    counts = jobs.job_chunk_run(job_kind(KIND), chunk_id=chunk_id)
    return counts["statements_written"] if counts else 0
