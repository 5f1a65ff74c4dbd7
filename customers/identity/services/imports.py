"""Bulk import of customers, subscriptions and invoices from CSV files: the job.

An import is the "import" job kind (see ``crm.jobs``): its chunks are batches of rows, taken in
file order, because a row is matched against the rows before it in the same file. Every row of a
batch is validated first; the valid rows are then written together in the transaction that marks
the batch done, with bulk inserts, so a row is imported completely or not at all, and 100,000
rows take minutes. A row whose external reference was imported before is
skipped, which makes a file safe to import again. How the rows of each kind are checked and
written is in ``import_rows``.
"""

import csv
import io
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction

from crm.csv import csv_uncell
from crm.jobs import services as jobs
from crm.jobs.kinds import job_kind
from customers.identity.models import ImportChunk, ImportJob, ImportRowError
from customers.identity.services.import_rows import BATCH_WRITERS, ImportOutcome
from customers.services.customers import PARTY_FIELDS

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
}
# The column the error file adds to the failed rows: a corrected error file imports as it is.
ERROR_COLUMN = "error"
IGNORED_COLUMNS = {ERROR_COLUMN}


def _text_of(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            f"The file is not UTF-8 text (byte {error.start} cannot be read). "
            "Save it as 'CSV UTF-8' and upload it again."
        ) from None


def csv_dialect(sample: str) -> dict:
    """How to read a file whose first characters are ``sample``: its delimiter is guessed.

    Only the delimiter is worth guessing: the sniffer reports doubled quotes as unused when
    the sample happens to have none, takes the apostrophes in "status 'gone' is not …" or
    O'Brien for quote marks, and a file that breaks the quoting rules is refused.
    """
    try:
        delimiter = csv.Sniffer().sniff(sample[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return {"delimiter": delimiter, "quotechar": '"', "doublequote": True, "strict": True}


def _reader(text: str) -> csv.DictReader:
    return csv.DictReader(io.StringIO(text, newline=""), **csv_dialect(text))


def import_header_check(*, kind: str, raw: bytes) -> int:
    """Check the file before it is queued: readable, the right columns; returns its row count."""
    if kind not in COLUMNS:
        raise ValidationError(f"Unknown import kind '{kind}'.")
    if not raw.strip():
        raise ValidationError("The file is empty.")
    reader = _reader(_text_of(raw))
    try:
        header = {name.strip() for name in reader.fieldnames or [] if name}
    except csv.Error as error:
        raise ValidationError(f"The file is not valid CSV: {error}.") from None
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
    try:
        return sum(1 for _ in reader)
    except csv.Error as error:
        raise ValidationError(f"The file is not valid CSV: {error}.") from None


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
    raw = file.read()
    rows = import_header_check(kind=kind, raw=raw)
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
        job.file.save(name, ContentFile(raw), save=False)
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
    with job.file.open("rb") as handle:
        text = _text_of(handle.read())
    reader = _reader(text)
    # Every row is read, also those of chunks done before: a reference repeated in the file is
    # then found whatever the chunk size and wherever the job was cut off.
    ref_column = "invoice_number" if job.kind == ImportJob.Kind.INVOICES else "external_ref"
    first_index: dict[str, int] = {}
    for index, row in enumerate(reader):
        # A value our error file wrote as text for spreadsheets is read as the value it was.
        clean = {
            (key or "").strip(): csv_uncell((value or "").strip())
            for key, value in row.items()
            if key is not None
        }
        if None in row:
            clean["__extra__"] = "yes"
        ref = clean.get(ref_column, "")
        if ref and first_index.setdefault(ref, index) != index:
            clean["__repeat_of__"] = str(first_index[ref])
        yield index, clean


# --- Running a job ----------------------------------------------------------------------------


def import_chunk_work(job: ImportJob, chunk: ImportChunk) -> dict[str, int]:
    """Check and write the rows of one chunk, with their row errors, in the transaction that
    marks it done: a row is imported completely or not at all."""
    batch = _rows(job)[chunk.first_id : chunk.last_id + 1]
    outcome = ImportOutcome()
    if batch:
        BATCH_WRITERS[job.kind](job, batch, outcome)
        ImportRowError.objects.bulk_create(outcome.errors)
    return {
        "rows_done": len(batch),
        "rows_created": outcome.created,
        "rows_skipped": outcome.skipped,
        "rows_failed": len(outcome.errors),
        "duplicates_queued": outcome.duplicates_queued,
    }


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
