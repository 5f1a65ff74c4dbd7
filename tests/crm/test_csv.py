"""CSV files the product writes: cells no spreadsheet runs, UTF-8 with a mark, streamed."""

import csv
import io

import pytest

from crm.csv import CHUNK_CHARS, csv_cell, csv_download, csv_lines, csv_uncell


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","Click")',
        "+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "  =1+1",
        "\n=1+1",
        "\xa0=1+1",
        "-Smith",
    ],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_written_as_text(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["+44 20 7946 0000", "-12.50", "+1 (555) 010-2030", "0.5", "Zoë", "a=b", "", " "]
)
def test_numbers_phone_numbers_and_plain_text_are_written_as_they_are(value):
    assert csv_cell(value) == value


def test_no_value_is_an_empty_cell_and_other_values_their_text():
    assert (csv_cell(None), csv_cell(12), csv_cell(-3)) == ("", "12", "-3")


@pytest.mark.parametrize("value", ["=1+1", "@x", "-Smith", "'quoted'", "'", "+44 20 7946 0000"])
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
    assert b"".join(response.streaming_content).decode("utf-8") == "\ufeffname\r\nZoë\r\n"
