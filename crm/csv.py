"""CSV files the product writes: streamed, UTF-8, and safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or a carriage return) is a formula
to Excel, LibreOffice and Google Sheets: a value someone typed into a form, such as
``=HYPERLINK("http://evil.example", "Click")``, would run on the desk of whoever opens the file.
Such a cell is written with a leading apostrophe, which spreadsheets take as "this is text".
A value made only of digits, signs, spaces, dots, commas and parentheses (a phone number
``+44 20 7946 0000``, an amount ``-12.50``) can neither call a function nor reference a cell,
and is written as it is.

Files start with a byte order mark: Excel then reads them as UTF-8 instead of the machine's
code page, and keeps UTF-8 when the file is saved again.

Our own CSV import reads these files back with :func:`csv_uncell`, so a file downloaded,
corrected and uploaded again holds the values that were written, not the apostrophes.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_INERT = re.compile(r"[0-9 .,()+\-]*")
# Lines are handed on in pieces of about this many characters: few enough pieces for a fast
# download of a large file, small enough never to hold the file in memory.
CHUNK_CHARS = 64 * 1024


def _looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS)


def csv_cell(value) -> str:
    """``value`` as a cell no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    # Spreadsheets skip any leading white space (tabs, line breaks, no-break spaces) too.
    if _looks_like_formula(text) and not _INERT.fullmatch(text):
        return "'" + text
    return text


def csv_uncell(text: str) -> str:
    """The value a cell written by :func:`csv_cell` stands for."""
    if text.startswith("'") and _looks_like_formula(text[1:]):
        return text[1:]
    return text


def csv_lines(rows: Iterable[Iterable], *, delimiter: str = ",", bom: bool = True) -> Iterator[str]:
    """The rows (the header first) as CSV text, in pieces; every cell goes through csv_cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if bom:
        buffer.write(BOM)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_download(lines: Iterable[str], *, filename: str) -> StreamingHttpResponse:
    """A download of CSV text made by :func:`csv_lines`, sent while it is being written."""
    response = StreamingHttpResponse(
        (piece.encode("utf-8") for piece in lines), content_type="text/csv; charset=utf-8"
    )
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
