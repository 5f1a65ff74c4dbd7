"""Bulk import of customers, subscriptions and invoices from CSV files: the job.

Each file is read in batches. Every row of a batch is validated first; the valid rows are then
written together in one transaction with bulk inserts, so a row is imported completely or not
at all, and 100,000 rows take minutes. A row whose external reference was imported before is
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
from django.db.models import F
from django.utils import timezone

from crm.csv import csv_uncell
from customers.models import (
    ImportJob,
    ImportRowError,
)

from .import_rows import BATCH_WRITERS, ImportOutcome

BATCH_SIZE = 1000

COLUMNS = {
    ImportJob.Kind.CUSTOMERS: {
        "required": {"external_ref"},
        "optional": {
            "kind",
            "title",
            "given_name",
            "family_name",
            "birth_date",
            "national_id",
            "legal_name",
            "trading_name",
            "registration_number",
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
    *, kind: str, file: File, actor, on_duplicate: str = ImportJob.OnDuplicate.REFUSE
) -> ImportJob:
    """Store the uploaded file and queue its import; a file that cannot be read is refused."""
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise ValidationError({"on_duplicate": f"Unknown choice '{on_duplicate}'."})
    if file.size and file.size > settings.CRM_IMPORT_MAX_BYTES:
        raise ValidationError(
            f"The file is larger than {settings.CRM_IMPORT_MAX_BYTES // (1024 * 1024)} MB."
        )
    raw = file.read()
    rows = import_header_check(kind=kind, raw=raw)
    job = ImportJob(
        kind=kind,
        on_duplicate=on_duplicate,
        original_name=(getattr(file, "name", "") or "upload.csv").rsplit("/", 1)[-1][:200],
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        created_at=timezone.now(),
        rows_total=rows,
    )
    job.file.save(job.original_name, ContentFile(raw), save=False)
    job.save()
    return job


def _rows(job: ImportJob) -> Iterator[tuple[int, dict]]:
    with job.file.open("rb") as handle:
        text = _text_of(handle.read())
    reader = _reader(text)
    # Every row is read, also those a resumed job skips: a reference repeated in the file is
    # then found whatever the batch size and wherever the job was cut off.
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


def import_job_run(
    *,
    job_id: int,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[ImportJob], None] | None = None,
) -> ImportJob:
    """Import the rows not yet done. Resumable: a job cut off mid-way carries on from rows_done."""
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    ).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    process = BATCH_WRITERS[job.kind]
    batch: list[tuple[int, dict]] = []
    for index, row in _rows(job):
        if index < job.rows_done:
            continue
        batch.append((index, row))
        if len(batch) >= batch_size:
            _run_batch(job, process, batch)
            batch = []
            if progress:
                progress(job)
    if batch:
        _run_batch(job, process, batch)
        if progress:
            progress(job)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def _run_batch(job: ImportJob, process, batch: list[tuple[int, dict]]) -> None:
    """One transaction: the batch's rows, its row errors and the progress move together."""
    with transaction.atomic():
        outcome = ImportOutcome()
        process(job, batch, outcome)
        ImportRowError.objects.bulk_create(outcome.errors)
        ImportJob.objects.filter(pk=job.pk).update(
            rows_done=batch[-1][0] + 1,
            rows_created=F("rows_created") + outcome.created,
            rows_skipped=F("rows_skipped") + outcome.skipped,
            rows_failed=F("rows_failed") + len(outcome.errors),
            duplicates_queued=F("duplicates_queued") + outcome.duplicates_queued,
        )
    job.refresh_from_db()


def import_job_fail(*, job: ImportJob, error: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


# --- Parsing values -----------------------------------------------------------------------------
