"""The rows an import refused, as a file to correct and upload again.

The file holds the failed rows as they were uploaded (every column, in the upload's order and
with its delimiter) and an ``error`` column saying why each was refused. Uploaded again once
corrected, it imports the fixed rows: the importer ignores the ``error`` column, and the rows
that did import are not in the file. A file that is itself such an error file keeps its one
``error`` column, which then holds the new reasons.

The uploaded file is read again as a stream, side by side with the row errors in row order:
one pass over the file and one query, however many rows failed.
"""

import csv
import io
from collections.abc import Iterator
from itertools import groupby

from django.core.exceptions import ValidationError

from crm.csv import csv_lines
from customers.identity.models import ImportJob
from customers.identity.services.imports import ERROR_COLUMN, csv_dialect

SAMPLE_CHARS = 4096


def import_errors_csv(*, job: ImportJob) -> Iterator[str]:
    """The failed rows of ``job`` with their errors, as CSV text in pieces (see crm.csv)."""
    try:
        stored = job.file.storage.open(job.file.name, "rb")
    except (FileNotFoundError, ValueError):
        raise ValidationError(
            f"The file of import {job.pk} is no longer stored; its errors are listed on the page."
        ) from None
    text = io.TextIOWrapper(stored.file, encoding="utf-8-sig", newline="")
    dialect = csv_dialect(text.read(SAMPLE_CHARS))
    text.seek(0)
    return _lines(job, text, dialect)


def _lines(job: ImportJob, text: io.TextIOWrapper, dialect: dict) -> Iterator[str]:
    with text:
        reader = csv.reader(text, **dialect)
        yield from csv_lines(_failed_rows(job, reader), delimiter=dialect["delimiter"])


def _errors_by_row(job: ImportJob) -> Iterator[tuple[int, str]]:
    """(row number, why) in row order; a row's several errors read as one sentence."""
    errors = (
        job.row_errors.order_by("row_number", "pk")
        .values_list("row_number", "message")
        .iterator(chunk_size=2000)
    )
    for row_number, group in groupby(errors, key=lambda error: error[0]):
        yield row_number, " ".join(message for _, message in group)


def _failed_rows(job: ImportJob, reader) -> Iterator[list[str]]:
    header = next(reader, [])
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
    # are not rows (csv.DictReader skips them).
    row_number = 1
    for cells in reader:
        if pending is None:
            return
        if not cells:
            continue
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
