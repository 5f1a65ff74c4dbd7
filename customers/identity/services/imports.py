"""Bulk import of customers, subscriptions, invoices and usage from CSV files: the job.

An import is the "import" job kind (see ``crm.jobs``): its chunks are batches of rows. Every row
of a batch is validated first; the valid rows are then written together in the transaction that
marks the batch done, with bulk inserts, so a row is imported completely or not at all. A row
whose external reference was imported before is skipped, which makes a file safe to import
again. How the rows of each kind are checked and written is in ``import_rows``.

The chunks of a fact file (subscriptions, invoices, usage) are taken in file order, as a later
row may stand for an earlier one. Those of a customer file run side by side, on as many workers
as there are: each checks its rows against the base, and the file's own pairs are found once
every chunk is done (``import_complete``), in a few set-based passes. Two rows with one
national id are one person whichever chunks they are in, which the file alone tells.

The file is read as a stream, a row at a time (``crm.csv``), at upload and by the job: a large
upload stays on disk. A row the file spoils (a NUL, more values than columns) is that row's
error. A file broken at a row (bad quoting, a value beyond the CSV field limit, bytes that are
not UTF-8) is refused at upload, naming the row.
"""

from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction

from crm.csv import (
    NOT_UTF8_VALUE,
    CsvRecord,
    csv_dialect,
    csv_records,
    csv_text,
    csv_uncell,
)
from crm.jobs import services as jobs
from crm.jobs.kinds import job_kind
from customers.identity.models import DuplicateCandidate, ImportChunk, ImportJob, ImportRowError
from customers.identity.services.import_rows import (
    BATCH_WRITERS,
    ImportOutcome,
    customer_row_identifier,
)
from customers.identity.services.pairs import duplicates_find_among_parties
from customers.services.customers import PARTY_FIELDS
from customers.services.usage import MEASURE_FIELDS

KIND = "import"
BATCH_SIZE = 1000

COLUMNS = {
    ImportJob.Kind.CUSTOMERS: {
        "required": {"external_ref"},
        "optional": {
            *PARTY_FIELDS,
            "email",
            "mobile",
            "phone",
            "street",
            "postcode",
            "city",
            "country",
            "segment",
            "language",
            "status",
            "lead_source",
            "currency",
        },
    },
    ImportJob.Kind.SUBSCRIPTIONS: {
        "required": {"external_ref", "customer_ref", "product_code", "start_date"},
        "optional": {"monthly_charge", "contract_term_months", "end_date", "status", "service_id"},
    },
    ImportJob.Kind.INVOICES: {
        "required": {"invoice_number", "customer_ref", "issued_on", "due_on", "amount"},
        "optional": {"period_start", "paid_amount", "paid_on"},
    },
    ImportJob.Kind.USAGE: {
        "required": {"customer_ref", "product_code", "month"},
        "optional": {"external_ref", *MEASURE_FIELDS},
    },
}
# The column the error file adds to the failed rows: a corrected error file imports as it is.
ERROR_COLUMN = "error"
IGNORED_COLUMNS = {ERROR_COLUMN}


def _column_name(names: list[str], record: CsvRecord) -> str:
    return names[record.column].strip() if record.column < len(names) else ""


def _refuse_unreadable(record: CsvRecord, header: CsvRecord) -> None:
    """Refuse the file at a row that breaks it: bad quoting or an overlong value or line make
    the rows after it unreliable, and bytes that are not UTF-8 are almost always a whole file
    saved in another encoding, which saving again as CSV UTF-8 mends at once."""
    if record.unreadable:
        raise ValidationError(
            f"The file is not valid CSV at row {record.number}: {record.unreadable}."
        )
    if record.problem == NOT_UTF8_VALUE:
        where = _column_name(header.cells, record) or f"value {record.column + 1}"
        raise ValidationError(
            f"The file is not UTF-8 text (row {record.number}, {where}). "
            "Save it as 'CSV UTF-8' and upload it again."
        )


def import_header_check(*, kind: str, file: File) -> int:
    """Check the file before it is queued: readable, the right columns; returns its row count.
    The file is read as a stream, one row at a time."""
    if kind not in COLUMNS:
        raise ValidationError(f"Unknown import kind '{kind}'.")
    with csv_text(file) as text:
        records = csv_records(text, csv_dialect(text))
        header = next(records, None)
        if header is None or not (header.unreadable or any(c.strip() for c in header.cells)):
            raise ValidationError("The file is empty.")
        if header.problem:
            raise ValidationError(f"The header row {header.problem}.")
        _refuse_unreadable(header, header)
        _columns_check(kind, {name.strip() for name in header.cells if name.strip()})
        rows = 0
        for record in records:
            _refuse_unreadable(record, header)
            rows += 1
    return rows


def _columns_check(kind: str, header: set[str]) -> None:
    missing = COLUMNS[kind]["required"] - header
    if missing:
        expected = sorted(COLUMNS[kind]["required"] | COLUMNS[kind]["optional"])
        raise ValidationError(
            f"The file has no column {', '.join(sorted(missing))}. "
            f"Expected columns: {', '.join(expected)}."
        )
    unknown = header - COLUMNS[kind]["required"] - COLUMNS[kind]["optional"] - IGNORED_COLUMNS
    if unknown:
        raise ValidationError(f"Unknown columns: {', '.join(sorted(unknown))}.")


def import_job_create(
    *,
    kind: str,
    file: File,
    actor,
    on_duplicate: str = ImportJob.OnDuplicate.REFUSE,
    batch_size: int = BATCH_SIZE,
) -> ImportJob:
    """Store the uploaded file and plan its import in chunks of ``batch_size`` rows; a file
    that cannot be read is refused, and so is a second import while one is in progress."""
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise ValidationError({"on_duplicate": f"Unknown choice '{on_duplicate}'."})
    if batch_size < 1:
        raise ValidationError("The batch size must be at least 1.")
    if file.size and file.size > settings.CRM_IMPORT_MAX_BYTES:
        raise ValidationError(
            f"The file is larger than {settings.CRM_IMPORT_MAX_BYTES // (1024 * 1024)} MB."
        )
    rows = import_header_check(kind=kind, file=file)
    name = (getattr(file, "name", "") or "upload.csv").rsplit("/", 1)[-1][:200]
    with transaction.atomic():
        job = jobs.job_plan(
            job_kind(KIND),
            ranges=[
                (start, min(start + batch_size, rows) - 1) for start in range(0, rows, batch_size)
            ],
            kind=kind,
            on_duplicate=on_duplicate,
            original_name=name,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            rows_total=rows,
        )
        # Stored as it came: an upload on disk is moved, any other file copied in pieces.
        job.file.save(name, file, save=False)
        job.save(update_fields=["file"])
    return job


def import_job_request(**options) -> ImportJob:
    """An upload from a page: stored and planned at once, imported by a worker after commit."""
    job = import_job_create(**options)
    jobs.job_request(job_kind(KIND), job)
    return job


_parsed: dict[tuple, list[tuple[int, dict]]] = {}


def _rows(job: ImportJob) -> list[tuple[int, dict]]:
    """Every row of the job's file, read once per process: each chunk takes its own range."""
    key = (job.pk, job.requested_at)
    if key not in _parsed:
        _parsed.clear()
        _parsed[key] = list(_rows_read(job))
    return _parsed[key]


def _rows_read(job: ImportJob) -> Iterator[tuple[int, dict]]:
    # Every row is read, also those of chunks done before: a reference repeated in the file is
    # then found whatever the chunk size and wherever the job was cut off.
    ref_column = "invoice_number" if job.kind == ImportJob.Kind.INVOICES else "external_ref"
    first_index: dict[str, int] = {}
    # One national id in two rows of a customer file is one person, whichever chunk each is in.
    first_with_identifier: dict[str, int] = {}
    customers = job.kind == ImportJob.Kind.CUSTOMERS
    with job.file.storage.open(job.file.name, "rb") as stored, csv_text(stored) as text:
        records = csv_records(text, csv_dialect(text))
        header = next(records, None)
        names = [name.strip() for name in header.cells] if header else []
        for index, record in enumerate(records):
            row = _row_of(names, record)
            ref = row.get(ref_column, "")
            if ref and first_index.setdefault(ref, index) != index:
                row["__repeat_of__"] = str(first_index[ref])
            elif (
                customers
                and (identifier := customer_row_identifier(row))
                and first_with_identifier.setdefault(identifier, index) != index
            ):
                row["__same_person_as__"] = str(first_with_identifier[identifier])
            yield index, row


def _row_of(names: list[str], record: CsvRecord) -> dict[str, str]:
    """A row by column name. A row the file itself spoils carries ``__problem__`` (and the
    column in ``__field__``), which refuses it whatever its kind."""
    # A value our error file wrote as text for spreadsheets is read as the value it was.
    row = {name: "" for name in names} | {
        name: csv_uncell(value.strip()) for name, value in zip(names, record.cells, strict=False)
    }
    if record.unreadable:
        row["__problem__"] = f"The row is not valid CSV: {record.unreadable}."
    elif record.problem:
        column = _column_name(names, record)
        row["__problem__"] = f"{column or 'A value'} {record.problem}."
        row["__field__"] = column
    elif len(record.cells) > len(names):
        row["__problem__"] = "The row has more values than the header has columns."
    return row


# --- Running a job ----------------------------------------------------------------------------


def import_chunk_work(job: ImportJob, chunk: ImportChunk) -> dict[str, int]:
    """Check and write the rows of one chunk, with their row errors, in the transaction that
    marks it done: a row is imported completely or not at all."""
    batch = _rows(job)[chunk.first_id : chunk.last_id + 1]
    outcome = ImportOutcome()
    seen = []
    if job.kind == ImportJob.Kind.CUSTOMERS:
        # Read before the rows are matched with the base: the customers of these chunks are
        # committed, so the matching finds them.
        done = ImportChunk.objects.filter(run=job, done_at__isnull=False)
        seen = list(done.values_list("pk", flat=True))
    if batch:
        BATCH_WRITERS[job.kind](job, batch, outcome)
        ImportRowError.objects.bulk_create(outcome.errors)
    if outcome.party_ids:
        ImportChunk.objects.filter(pk=chunk.pk).update(
            party_ids=outcome.party_ids, chunks_seen=seen
        )
    return {
        "rows_done": len(batch),
        "rows_created": outcome.created,
        "rows_skipped": outcome.skipped,
        "rows_failed": len(outcome.errors),
        "duplicates_queued": outcome.duplicates_queued,
    }


def import_complete(job: ImportJob) -> None:
    """When every chunk has ended: the customers of a customer file are paired with each
    other, as the scan pairs the base, and the new pairs go to the review queue."""
    if job.kind != ImportJob.Kind.CUSTOMERS:
        return
    chunks = ImportChunk.objects.filter(run=job).exclude(party_ids=[])
    written = {
        pk: (parties, set(seen))
        for pk, parties, seen in chunks.values_list("pk", "party_ids", "chunks_seen")
    }
    # A chunk's own rows, and those of two chunks neither of which saw the other written.
    unseen = {
        (a, b)
        for a in written
        for b in written
        if a == b or (a < b and b not in written[a][1] and a not in written[b][1])
    }
    job.duplicates_queued += duplicates_find_among_parties(
        {pk: parties for pk, (parties, _) in written.items()},
        compare=unseen,
        source=DuplicateCandidate.Source.IMPORT,
    )
    if not job.chunks_failed:
        # Done with; a run taken up again after a failed chunk pairs its rows once more.
        chunks.update(party_ids=[], chunks_seen=[])


def import_job_run(
    *, job_id: int, progress: Callable[[ImportJob], None] | None = None
) -> ImportJob:
    """Import the rows not yet done, here, chunk after chunk; ``progress(job)`` after each.
    Resumable: a job cut off mid-way carries on with its first chunk not done."""
    job = ImportJob.objects.get(pk=job_id)
    jobs.job_run_here(job_kind(KIND), run=job, on_chunk=progress)
    job.refresh_from_db()
    return job


def import_job_fail(*, job: ImportJob, error: str) -> None:
    jobs.job_fail(job_kind(KIND), run=job, error=error)


# --- Parsing values -----------------------------------------------------------------------------
