"""CSV files the product writes (cells no spreadsheet runs, UTF-8 with a mark, streamed) and
reads (row by row, a row that cannot be read told of, never the end of the file)."""

import csv
import io
import tracemalloc

import pytest

from crm.csv import (
    CHUNK_CHARS,
    MAX_LINE_CHARS,
    NOT_UTF8_VALUE,
    NUL_VALUE,
    CsvRecord,
    csv_cell,
    csv_dialect,
    csv_download,
    csv_lines,
    csv_records,
    csv_text,
    csv_uncell,
)


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","Click")',
        "=cmd|' /C calc'!A0",
        "+cmd|' /C calc'!A0",
        "+SUM(1+1)",
        "@SUM(1+1)",
        "-2+3+cmd|' /C calc'!A0",
        "-2+3",
        "-Smith",
        "\t=1+1",
        "\r=1+1",
        "\tplain",
        "\rplain",
        "  =1+1",
        "\n=1+1",
        "\xa0=1+1",
        "\u3000=1+1",
        "\u200b=1+1",
        "\ufeff@SUM(1+1)",
        "\uff1d1+1",
        "\uff0bSUM(1+1)",
        "\uff0d2+3",
        "\uff20SUM(1+1)",
        "+44 20 7946 0000",
        "+1 (555) 010-2030",
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["-12.50", "-1,234.50", "+3", "-3", "-", "0.5", "Zoë", "a=b", "12-3", "", " "]
)
def test_plain_numbers_with_a_sign_and_plain_text_are_written_as_they_are(value):
    assert csv_cell(value) == value


def test_no_value_is_an_empty_cell_and_other_values_their_text():
    assert (csv_cell(None), csv_cell(12), csv_cell(-3)) == ("", "12", "-3")


@pytest.mark.parametrize(
    "value", ["=1+1", "@x", "-Smith", "'quoted'", "'", "+44 20 7946 0000", "\uff1d1", "-12.50"]
)
def test_a_cell_read_back_is_the_value_that_was_written(value):
    assert csv_uncell(csv_cell(value)) == value


def test_the_lines_start_with_a_byte_order_mark_and_use_the_given_delimiter():
    text = "".join(csv_lines([["name", "note"], ["Zoë", "=1+1"], ["a;b", "x"]], delimiter=";"))

    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]), delimiter=";")) == [
        ["name", "note"],
        ["Zoë", "'=1+1"],
        ["a;b", "x"],
    ]


def test_every_cell_is_quoted_so_another_delimiter_inside_a_value_splits_nothing():
    text = "".join(csv_lines([["a,=1+1", 'say "hi"', None]], delimiter=";", bom=False))

    assert text == '"a,=1+1";"say ""hi""";""\r\n'


def test_a_large_file_comes_in_pieces_and_a_row_is_never_cut():
    rows = ([str(n), "x" * 100] for n in range(5000))

    pieces = list(csv_lines(rows, bom=False))

    assert len(pieces) > 1
    assert all(len(piece) < CHUNK_CHARS + 200 and piece.endswith("\r\n") for piece in pieces)
    assert len(list(csv.reader(io.StringIO("".join(pieces))))) == 5000


def test_a_download_streams_utf_8_with_a_safe_file_name():
    response = csv_download(csv_lines([["name"], ["Zoë"]]), filename='a "b"/c.csv')

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="a__b__c.csv"'
    assert b"".join(response.streaming_content).decode("utf-8") == '\ufeff"name"\r\n"Zoë"\r\n'


# --- Reading ------------------------------------------------------------------------------------


def records_of(raw: bytes) -> list[CsvRecord]:
    with csv_text(io.BytesIO(raw)) as text:
        return list(csv_records(text, csv_dialect(text)))


def test_rows_are_read_with_their_numbers_after_a_bom_whatever_their_line_ends():
    raw = '\ufeffname,city\r\nZoë,Leeds\n\nAnn,"York\r\nNorth"\rBob,Hull'.encode()

    assert records_of(raw) == [
        CsvRecord(1, ["name", "city"]),
        CsvRecord(2, ["Zoë", "Leeds"]),
        CsvRecord(3, ["Ann", "York\r\nNorth"]),
        CsvRecord(4, ["Bob", "Hull"]),
    ]


def test_a_nul_is_the_problem_of_its_row_and_value_and_the_next_rows_are_read():
    records = records_of(b"name,city\nZo\x00e,Leeds\nAnn,York\n")

    assert records[1] == CsvRecord(2, ["Zo\ufffde", "Leeds"], problem=NUL_VALUE, column=0)
    assert records[2] == CsvRecord(3, ["Ann", "York"])


def test_bytes_that_are_not_utf_8_are_the_problem_of_their_row_only():
    records = records_of("name,city\nAnn,York\nZoë,Köln\nBob,Hull\n".encode("latin-1"))

    assert [(r.number, r.problem, r.column) for r in records] == [
        (1, "", None),
        (2, "", None),
        (3, NOT_UTF8_VALUE, 0),
        (4, "", None),
    ]
    assert records[2].cells == ["Zo\ufffd", "K\ufffdln"]


def test_a_value_beyond_the_csv_field_limit_is_its_row_only():
    huge = b"x" * (csv.field_size_limit() + 1)
    records = records_of(b"name,note\nAnn," + huge + b"\nBob,ok\n")

    assert records[1].number == 2
    assert "field larger than field limit" in records[1].unreadable
    assert records[2] == CsvRecord(3, ["Bob", "ok"])


def test_bad_quoting_is_its_row_only_and_an_unclosed_quote_ends_the_file():
    records = records_of(b'name,note\nAnn,"a"b\nBob,ok\nCy,"open\n')

    assert [(r.number, r.cells, bool(r.unreadable)) for r in records] == [
        (1, ["name", "note"], False),
        (2, [], True),
        (3, ["Bob", "ok"], False),
        (4, [], True),
    ]


def test_a_line_too_long_to_hold_is_skipped_in_bounded_memory_and_the_next_rows_are_read():
    handle = io.BytesIO(b"name,note\nAnn," + b"x" * (32 * MAX_LINE_CHARS) + b"\nBob,ok\n")

    tracemalloc.start()
    try:
        with csv_text(handle) as text:
            records = list(csv_records(text, csv_dialect(text)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert records[1].unreadable == f"a line is longer than {MAX_LINE_CHARS} characters"
    assert records[2] == CsvRecord(3, ["Bob", "ok"])
    # A few pieces of MAX_LINE_CHARS at most, however long the line.
    assert peak < 8 * MAX_LINE_CHARS, f"{peak} bytes held to read a 32 MB line"


def test_the_delimiter_is_guessed_and_the_text_rewound_and_the_file_left_open():
    handle = io.BytesIO(b"a\tb\n1\t2\n")

    with csv_text(handle) as text:
        dialect = csv_dialect(text)
        assert text.read() == "a\tb\n1\t2\n"

    assert dialect["delimiter"] == "\t"
    assert not handle.closed
