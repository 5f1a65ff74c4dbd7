"""Writing statements, and reading their stored files (the portal's download calls
``statement_file``)."""

import contextlib
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from .documents import statement_html, statement_pdf, statement_view
from .figures import StatementFigures
from .models import Statement, StatementRun

FILE_KINDS = ("html", "pdf")
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}
FOLDER = "statements"


class StatementFileGone(Exception):
    """The statement has no such file (never written, or removed with its customer's data)."""


def statements_write(
    figures: list[StatementFigures], *, run: StatementRun | None = None
) -> list[Statement]:
    """Write the documents of each statement through the storage, then the statements in one
    bulk insert; the statements written. Call inside the transaction of the chunk: if it rolls
    back, the files written are removed again (a file may be left only by a process killed
    between the two, and no row points to it)."""
    now = timezone.now()
    issued_on = timezone.localdate(now)
    written: list[str] = []
    rows = []
    try:
        for statement in figures:
            view = statement_view(statement, issued_on=issued_on)
            names = {
                kind: _file_save(statement, kind, content, written)
                for kind, content in (("html", statement_html(view)), ("pdf", statement_pdf(view)))
            }
            rows.append(
                Statement(
                    customer=statement.customer,
                    period=str(statement.period),
                    period_start=statement.period_start,
                    period_end=statement.period_end,
                    frequency=statement.frequency,
                    format=statement.format,
                    itemised=statement.itemised,
                    language=statement.language,
                    currency=statement.currency,
                    opening_balance=statement.opening_balance,
                    invoiced=statement.invoiced,
                    paid=statement.paid,
                    closing_balance=statement.closing_balance,
                    invoice_count=len(statement.invoices),
                    payment_count=len(statement.payments),
                    html_file=names["html"],
                    pdf_file=names["pdf"],
                    generated_at=now,
                    run=run,
                )
            )
        Statement.objects.bulk_create(rows, batch_size=500)
    except BaseException:
        _files_delete(written)
        raise
    return rows


def _file_save(statement: StatementFigures, kind: str, content: bytes, written: list[str]) -> str:
    # A random part: the name of one customer's statement cannot be guessed from another's.
    name = (
        f"{FOLDER}/{statement.period}/"
        f"{statement.customer.number}-{statement.period}-{secrets.token_urlsafe(8)}.{kind}"
    )
    saved = default_storage.save(name, ContentFile(content))
    written.append(saved)
    return saved


def _files_delete(names) -> None:
    for name in names:
        # Whatever kept the statement from being written may keep the file from going too.
        with contextlib.suppress(OSError):
            default_storage.delete(name)


def statement_file(statement: Statement, kind: str) -> FieldFile:
    """The stored HTML or PDF document of ``statement``, to be opened and streamed (the staff
    download and the customer portal use this); raises StatementFileGone when it is not
    stored (any more)."""
    if kind not in FILE_KINDS:
        raise ValidationError(f"No {kind} file: a statement is stored as HTML and PDF.")
    stored = statement.pdf_file if kind == "pdf" else statement.html_file
    if not stored or not stored.storage.exists(stored.name):
        raise StatementFileGone(f"The {kind.upper()} of statement {statement.pk} is not stored.")
    return stored


def statement_filename(statement: Statement, kind: str) -> str:
    """The name a download is saved under: the customer's number and the period."""
    return f"statement-{statement.customer.number}-{statement.period}.{kind}"


def statement_files_delete(*, customer_ids: list[int]) -> int:
    """Delete the stored documents of these customers' statements and forget their names (the
    figures stay): for erasure, as the documents name the person. The files deleted."""
    statements = Statement.objects.filter(customer_id__in=customer_ids).exclude(
        html_file="", pdf_file=""
    )
    names = [
        name for pair in statements.values_list("html_file", "pdf_file") for name in pair if name
    ]
    _files_delete(names)
    statements.update(html_file="", pdf_file="")
    return len(names)
