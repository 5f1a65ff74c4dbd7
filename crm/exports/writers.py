"""Rows of a list as CSV or XLSX, a page of rows at a time.

XLSX is written with XlsxWriter in ``constant_memory`` mode: each row goes to disk as soon as
the next one starts, so a file of a million rows takes no more memory than one of ten. (openpyxl's
write-only mode does the same but is several times slower and needs lxml to stay small.) A
text cell a spreadsheet would take for a formula (the rule of ``crm.csv``) is written as a
string with Excel's quote prefix: it shows as typed and stays text when edited.
"""

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter

from crm.csv import csv_cell, csv_lines
from crm.keyset import cursor_decode, cursor_encode, rows_beyond

from .sources import ExportQuery

# Rows read from the database at a time.
PAGE_ROWS = 1000
# The most rows an XLSX worksheet holds, its header included.
XLSX_MAX_ROWS = 1_048_576


def export_pages(
    query: ExportQuery, *, after: str = "", limit: int | None = None
) -> Iterator[tuple[list[list], str]]:
    """Pages of cell values in the query's order, from the ``after`` cursor on, at most
    ``limit`` rows in all; each page with the cursor of its last row (crm.keyset's format)."""
    order = list(query.order)
    names = [name.lstrip("-") for name in order]
    rows_queryset = query.queryset.order_by(*order).values(*dict.fromkeys([*query.fields, *names]))
    edge = cursor_decode(after, width=len(order)) if after else None
    remaining = limit
    while remaining is None or remaining > 0:
        size = PAGE_ROWS if remaining is None else min(PAGE_ROWS, remaining)
        page = rows_queryset
        if edge is not None:
            page = page.filter(rows_beyond(order, edge, backwards=False))
        rows = list(page[:size])
        if not rows:
            return
        query.complete(rows)
        edge = [_cursor_value(rows[-1][name]) for name in names]
        yield (
            [[cell_value(column.value(row)) for column in query.columns] for row in rows],
            cursor_encode(edge),
        )
        if len(rows) < size:
            return
        if remaining is not None:
            remaining -= len(rows)


def _cursor_value(value):
    """A column value as a cursor carries it (crm.keyset.cursor_values does the same)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def export_values(query: ExportQuery) -> Iterator[list]:
    """The header, then every row's values."""
    yield [column.header for column in query.columns]
    for values, _ in export_pages(query):
        yield from values


def cell_value(value):
    """A value as both formats keep it: numbers stay numbers, the rest becomes text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float, str)):
        return value
    return str(value)


def csv_pieces(rows: Iterable[list], *, bom: bool = True) -> Iterator[bytes]:
    for piece in csv_lines(rows, bom=bom):
        yield piece.encode("utf-8")


def jsonl_write(handle, rows: Iterable[list]) -> None:
    """Rows kept for an XLSX file that is built once every chunk has ended."""
    handle.writelines((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8") for row in rows)


def jsonl_read(handle) -> Iterator[list]:
    for line in handle:
        yield json.loads(line)


def xlsx_write(target, rows: Iterable[list], *, sheet: str) -> int:
    """Write ``rows`` (the header first) to ``target`` (a path or a binary file) as an XLSX
    workbook; returns the number of rows after the header."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    as_text = workbook.add_format({"quote_prefix": True})
    written = -1
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                worksheet.write_number(number, column, value)
            elif number == 0:
                worksheet.write_string(number, column, value, bold)
            elif value == "":
                continue
            elif csv_cell(value) != value:
                worksheet.write_string(number, column, value, as_text)
            else:
                worksheet.write_string(number, column, value)
        written = number
    if written >= 0:
        worksheet.freeze_panes(1, 0)
    workbook.close()
    return max(written, 0)
