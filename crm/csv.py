"""CSV files the product writes and reads: streamed, UTF-8, safe to open in a spreadsheet, and
read row by row whatever the file holds.

Writing follows OWASP's advice on CSV injection. A cell that starts with ``=``, ``+``, ``-`` or
``@`` (or a tab or a carriage return, or the full-width forms U+FF1D, U+FF0B, U+FF0D, U+FF20 that
some spreadsheets take for them) is a formula to Excel, LibreOffice and Google Sheets: a value
someone typed into a form, such as ``=HYPERLINK("http://evil.example", "Click")``, would run on
the desk of whoever opens the file. Such a cell is written with a leading apostrophe, which
spreadsheets take as "this is text". Spreadsheets skip leading white space, so the apostrophe
also goes before a formula behind spaces or line breaks. A plain number with a sign
(``-12.50``, ``+3``, ``-1,234.5``) or a sign alone (a ``-`` for "none") can neither call a
function nor reference a cell, and is written as it is, so amounts stay numbers; anything more
(``-2+3``, ``+44 20 7946 0000``) is written as text. Every cell is also quoted: a value holding
another delimiter (``a;=1+1`` in a comma file) then stays one cell in a spreadsheet that splits
on that delimiter.

Files start with a byte order mark: Excel then reads them as UTF-8 instead of the machine's
code page, and keeps UTF-8 when the file is saved again.

Our own CSV import reads these files back with :func:`csv_uncell`, so a file downloaded,
corrected and uploaded again holds the values that were written, not the apostrophes.

Reading (:func:`csv_text`, :func:`csv_records`) holds one row in memory at a time, never the
file, and tells of a row that cannot be read instead of stopping at it.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.http import StreamingHttpResponse

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# What a spreadsheet may skip before a formula: white space and invisible format characters.
_LEADING_BLANKS = re.compile("[\\s\u200b-\u200f\u2060\ufeff]*")
# A plain number with a sign, or a sign alone (a "-" for "none"), is data to a spreadsheet.
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)*|[+-]")
# Lines are handed on in pieces of about this many characters: few enough pieces for a fast
# download of a large file, small enough never to hold the file in memory.
CHUNK_CHARS = 64 * 1024


def _looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or text.startswith(
        FORMULA_STARTS, _LEADING_BLANKS.match(text).end()
    )


def csv_cell(value) -> str:
    """``value`` as a cell no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    if _looks_like_formula(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_uncell(text: str) -> str:
    """The value a cell written by :func:`csv_cell` stands for."""
    if text.startswith("'") and _looks_like_formula(text[1:]):
        return text[1:]
    return text


def csv_lines(rows: Iterable[Iterable], *, delimiter: str = ",", bom: bool = True) -> Iterator[str]:
    """The rows (the header first) as CSV text, in pieces; every cell goes through csv_cell and
    is quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
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


# --- Reading ------------------------------------------------------------------------------------

# The delimiter is guessed from the first characters.
SAMPLE_CHARS = 4096
# A longer line is skipped rather than held in memory, and its row reported: far longer than
# any row of a real file, far shorter than a large file.
MAX_LINE_CHARS = 1024 * 1024
# What no text column can store: a NUL, and the stand-ins for bytes that are not UTF-8.
_UNSTORABLE = re.compile("[\x00\udc80-\udcff]")
REPLACEMENT = "\ufffd"
NUL_VALUE = "holds a NUL character (byte 0); remove it"
NOT_UTF8_VALUE = "is not UTF-8 text; save the file as 'CSV UTF-8'"


@dataclass(frozen=True)
class CsvRecord:
    """One row of a file as read. ``number`` counts the rows, the header being 1 (blank lines
    are not rows). ``unreadable`` says why the row could not be parsed (bad quoting, a value or
    line over the limit): its cells are then empty, and the rows after it may be misread.
    ``problem`` (NUL_VALUE, NOT_UTF8_VALUE) says what is wrong with the value at ``column``; the
    values read U+FFFD for what no text column can store."""

    number: int
    cells: list[str]
    unreadable: str = ""
    problem: str = ""
    column: int | None = None


@contextmanager
def csv_text(handle) -> Iterator[io.TextIOBase]:
    """The text of the binary file ``handle`` from its start, decoded as it is read.

    UTF-8, with or without a byte order mark; line ends of any kind, mixed. Bytes that are not
    UTF-8 do not stop the reading: :func:`csv_records` reports the row they are in. ``handle``
    stays open for its owner."""
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        yield text
    finally:
        text.detach()


def csv_dialect(text: io.TextIOBase) -> dict:
    """How to read ``text``: its delimiter is guessed from its start, to which it is rewound.

    Only the delimiter is worth guessing: the sniffer reports doubled quotes as unused when
    the sample happens to have none, takes the apostrophes in "status 'gone' is not …" or
    O'Brien for quote marks, and a file that breaks the quoting rules is refused.
    """
    sample = text.read(SAMPLE_CHARS)
    text.seek(0)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    return {"delimiter": delimiter, "quotechar": '"', "doublequote": True, "strict": True}


class _Lines:
    """The lines of ``text`` for csv.reader, each at most MAX_LINE_CHARS long: a longer one is
    skipped and raised as the error of its row, and reading goes on with the next line."""

    def __init__(self, text: io.TextIOBase):
        self.text = text

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_LINE_CHARS)
        if not line:
            raise StopIteration
        if len(line) == MAX_LINE_CHARS and not line.endswith(("\n", "\r")):
            while (rest := self.text.readline(MAX_LINE_CHARS)) and not rest.endswith(("\n", "\r")):
                pass
            raise csv.Error(f"a line is longer than {MAX_LINE_CHARS} characters")
        return line


def csv_records(text: io.TextIOBase, dialect: dict) -> Iterator[CsvRecord]:
    """The rows of ``text``, the header first, one at a time; a row that cannot be read comes
    with why, and the rows after it follow."""
    reader = csv.reader(_Lines(text), **dialect)
    number = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader starts afresh on the next line.
            number += 1
            yield CsvRecord(number, [], unreadable=str(error))
            continue
        if cells:
            number += 1
            yield _record(number, cells)


def _record(number: int, cells: list[str]) -> CsvRecord:
    if not _UNSTORABLE.search("".join(cells)):
        return CsvRecord(number, cells)
    column, found = next(
        (column, found) for column, cell in enumerate(cells) if (found := _UNSTORABLE.search(cell))
    )
    problem = NUL_VALUE if found.group() == "\x00" else NOT_UTF8_VALUE
    clean = [_UNSTORABLE.sub(REPLACEMENT, cell) for cell in cells]
    return CsvRecord(number, clean, problem=problem, column=column)
