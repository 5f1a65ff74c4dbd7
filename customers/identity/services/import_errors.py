"""The rows an import refused, as a file to correct and upload again.

The file holds the failed rows as they were uploaded (every column, in the upload's order and
with its delimiter) and an ``error`` column saying why each was refused. Uploaded again once
corrected, it imports the fixed rows: the importer ignores the ``error`` column, and the rows
that did import are not in the file. A file that is itself such an error file keeps its one
``error`` column, which then holds the new reasons.

The uploaded file is read again as a stream, side by side with the row errors in row order:
one pass over the file and one query, however many rows failed.
"""

from collections.abc import Iterator
from itertools import groupby

from django.core.exceptions import ValidationError

from crm.csv import csv_dialect, csv_lines, csv_records, csv_text
from customers.identity.models import ImportJob
from customers.identity.services.imports import ERROR_COLUMN


def import_errors_csv(*, job: ImportJob) -> Iterator[str]:
    """The failed rows of ``job`` with their errors, as CSV text in pieces (see crm.csv)."""
    try:
        stored = job.file.storage.open(job.file.name, "rb")
    except (FileNotFoundError, ValueError):
        raise ValidationError(
            f"The file of import {job.pk} is no longer stored; its errors are listed on the page."
        ) from None
    return _lines(job, stored)


def _lines(job: ImportJob, stored) -> Iterator[str]:
    # The rows are read as the importer read them: numbered alike, a row it could not read
    # (whose error is known) never stopping the file.
    with stored, csv_text(stored) as text:
        dialect = csv_dialect(text)
        records = (record.cells for record in csv_records(text, dialect))
        yield from csv_lines(_failed_rows(job, records), delimiter=dialect["delimiter"])


def _errors_by_row(job: ImportJob) -> Iterator[tuple[int, str]]:
    """(row number, why) in row order; a row's several errors read as one sentence."""
    errors = (
        job.row_errors.order_by("row_number", "pk")
        .values_list("row_number", "message")
        .iterator(chunk_size=2000)
    )
    for row_number, group in groupby(errors, key=lambda error: error[0]):
        yield row_number, " ".join(message for _, message in group)


def _failed_rows(job: ImportJob, records: Iterator[list[str]]) -> Iterator[list[str]]:
    header = next(records, [])
    names = [name.strip() for name in header]
    width = len(header)
    if ERROR_COLUMN in names:
        error_at, appended = names.index(ERROR_COLUMN), False
        yield header
    else:
        error_at, appended = width, True
        yield [*header, ERROR_COLUMN]
    errors = _errors_by_row(job)
    pending = next(errors, None)
    # Rows are numbered as the importer numbers them: the header is row 1, and blank lines
    # are not rows.
    row_number = 1
    for cells in records:
        if pending is None:
            return
        row_number += 1
        while pending is not None and pending[0] < row_number:
            pending = next(errors, None)
        if pending is None or pending[0] != row_number:
            continue
        row = cells + [""] * (width - len(cells))
        if appended:
            # Values beyond the header (the reason such a row failed) stay, after the error.
            row = [*row[:width], pending[1], *row[width:]]
        else:
            row[error_at] = pending[1]
        yield row
        pending = next(errors, None)
