"""An import's error file: the failed rows as uploaded, with why, to correct and send again."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError

from customers.identity.models import ImportJob
from customers.identity.services.import_errors import import_errors_csv
from customers.models import Customer, Invoice
from tests.customers.identity.test_imports import (
    ANN,
    BOB,
    CUSTOMER_COLUMNS,
    LEE,
    customers_csv,
    queue,
    run,
)
from tests.factories import CustomerFactory

BAD_EMAIL = "email: Enter a valid e-mail address."


def text_of(job: ImportJob) -> str:
    return "".join(import_errors_csv(job=job))


def rows_of(job: ImportJob, delimiter: str = ",") -> list[list[str]]:
    text = text_of(job)
    assert text.startswith("\ufeff"), "the byte order mark makes spreadsheets read UTF-8"
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter))


def test_the_error_file_holds_only_the_failed_rows_as_uploaded_with_an_error_column(db):
    raw = (
        "family_name;email;external_ref;given_name\n"
        "Baker;bob@example.com;OK-1;Bob\n"
        "Archer;nope;R-1;Ann\n"
        "Lee;lee@example.com;CRM-3;Lee\n"
        "Müller;zoe@;CRM-4;Zoë\n"
    ).encode()
    job = run(raw)

    assert rows_of(job, delimiter=";") == [
        ["family_name", "email", "external_ref", "given_name", "error"],
        ["Archer", "nope", "R-1", "Ann", BAD_EMAIL],
        ["Müller", "zoe@", "CRM-4", "Zoë", BAD_EMAIL],
    ]


def test_a_corrected_error_file_imports_the_fixed_rows_and_lists_the_rest_again(db):
    first = run(customers_csv(BOB, {**ANN, "email": "nope"}, {**LEE, "status": "gone"}))
    assert (first.rows_created, first.rows_failed) == (1, 2)

    corrected = text_of(first).replace('"nope"', '"ann@example.com"')
    second = run(corrected.encode())

    assert (second.rows_total, second.rows_created, second.rows_failed) == (2, 1, 1)
    assert Customer.objects.get(external_ref="R-1").party.family_name == "Archer"
    [header, row] = rows_of(second)
    assert header.count("error") == 1, "the error column is reused, not added again"
    assert row[header.index("external_ref")] == "CRM-3"
    assert row[header.index("error")] == "status 'gone' is not one of active, lead, prospect."


def test_values_a_spreadsheet_would_run_are_written_as_text_and_import_as_they_were(db):
    formula = '=HYPERLINK("http://evil.example","Click")'
    raw = (
        "external_ref,given_name,family_name,phone,email\n"
        f'R-9,"{formula.replace(chr(34), chr(34) * 2)}",-Smith,+44 20 7946 0000,nope\n'
    ).encode()
    job = run(raw)

    [_, row] = rows_of(job)
    assert row == ["R-9", "'" + formula, "'-Smith", "'+44 20 7946 0000", "nope", BAD_EMAIL]

    run(text_of(job).replace('"nope"', '"ann@example.com"').encode())
    party = Customer.objects.get(external_ref="R-9").party
    assert (party.given_name, party.family_name) == (formula, "-Smith")


@pytest.mark.parametrize(
    "value",
    ["=cmd|' /C calc'!A0", "+SUM(1+1)", "@SUM(1+1)", "-2+3+cmd|' /C calc'!A0", "\uff1dSUM(1)"],
)
def test_no_cell_of_the_error_file_starts_a_formula_and_the_value_is_kept(db, value):
    raw = f"external_ref,given_name,family_name,email\n{value},{value},Smith,nope\n".encode()
    job = run(raw)

    [error] = job.row_errors.all()
    assert error.external_ref == value, "the reference is kept as it was typed"
    [_, row] = rows_of(job)
    assert row == ["'" + value, "'" + value, "Smith", "nope", BAD_EMAIL]
    assert text_of(job).splitlines()[1].startswith("\"'")


def test_a_row_with_a_nul_is_in_the_error_file_with_its_row_and_column(db):
    job = run(b"external_ref,family_name,email\nA-1,Archer,a@example.com\nA-2,Ba\x00ker,\n")

    assert rows_of(job)[1:] == [
        ["A-2", "Ba\ufffdker", "", "family_name holds a NUL character (byte 0); remove it."]
    ]


def test_a_corrected_semicolon_file_with_apostrophes_imports_as_it_was_written(db):
    raw = (
        b"external_ref;given_name;family_name;status;email\n"
        b"R-1;Ann;O'Brien;gone;ann@example.com\n"
        b"R-2;Bob;-Baker;lead;nope\n"
        b"R-3;'Zoe';Young;lead;zoe@\n"
    )
    first = run(raw)
    assert first.rows_failed == 3

    corrected = (
        text_of(first)
        .replace('"gone"', '"lead"')
        .replace('"nope"', '"bob@example.com"')
        .replace('"zoe@"', '"zoe@example.com"')
    )
    second = run(corrected.encode())

    assert (second.rows_created, second.rows_failed) == (3, 0)
    names = Customer.objects.values_list("party__given_name", "party__family_name")
    assert set(names) == {("Ann", "O'Brien"), ("Bob", "-Baker"), ("'Zoe'", "Young")}


def test_blank_lines_and_line_breaks_inside_values_keep_each_error_on_its_row(db):
    raw = (
        b"external_ref,family_name,street,city,email\n"
        b'A-1,Archer,"1 High Street\nFlat 2",Leeds,ann@example.com\n'
        b"\n"
        b"A-2,Baker,,,nope\n"
        b"A-3,Cole,,,cole@example.com\n"
        b"A-4,Dunn,,,dunn@\n"
    )
    job = run(raw)

    assert [(e.row_number, e.external_ref) for e in job.row_errors.order_by("row_number")] == [
        (3, "A-2"),
        (5, "A-4"),
    ]
    assert rows_of(job)[1:] == [
        ["A-2", "Baker", "", "", "nope", BAD_EMAIL],
        ["A-4", "Dunn", "", "", "dunn@", BAD_EMAIL],
    ]


def test_a_row_with_more_values_than_the_header_keeps_them_after_the_error(db):
    job = run(b"external_ref,family_name\nA-1,Archer,surplus\nA-2,Baker\n")

    assert rows_of(job) == [
        ["external_ref", "family_name", "error"],
        ["A-1", "Archer", "The row has more values than the header has columns.", "surplus"],
    ]


def test_a_short_row_is_padded_so_that_the_error_stays_in_its_column(db):
    job = run(b"external_ref,family_name,email\nA-1,Archer\n,Baker,b@example.com\n")

    assert rows_of(job)[1:] == [["", "Baker", "b@example.com", "external_ref is required."]]


def test_an_invoice_file_gives_its_failed_rows_the_same_way(db):
    CustomerFactory(status=Customer.Status.ACTIVE, external_ref="CRM-7")
    raw = (
        b"invoice_number,customer_ref,issued_on,due_on,amount\n"
        b"INV-1,CRM-7,2026-01-01,2026-01-15,10.00\n"
        b"INV-2,CRM-404,2026-01-01,2026-01-15,10.00\n"
    )
    job = run(raw, kind=ImportJob.Kind.INVOICES)

    assert list(Invoice.objects.values_list("number", flat=True)) == ["INV-1"]
    assert rows_of(job)[1:] == [
        [
            "INV-2",
            "CRM-404",
            "2026-01-01",
            "2026-01-15",
            "10.00",
            "No customer with reference or number 'CRM-404'.",
        ]
    ]


def test_a_clean_import_gives_only_the_header(db):
    job = run(customers_csv(BOB))

    assert rows_of(job) == [[*CUSTOMER_COLUMNS, "error"]]


def test_the_error_file_reads_the_errors_in_one_query_however_many_rows_failed(
    db, django_assert_num_queries
):
    rows = [{**ANN, "external_ref": f"R-{n}", "email": f"bad-{n}"} for n in range(600)]
    job = run(customers_csv(*rows), batch_size=250)
    assert job.rows_failed == 600

    with django_assert_num_queries(1):
        failed = rows_of(job)[1:]

    assert [row[0] for row in failed] == [f"R-{n}" for n in range(600)]


def test_a_job_whose_file_is_gone_is_refused_with_a_clear_message(db):
    job = run(customers_csv({**ANN, "email": "nope"}))
    job.file.storage.delete(job.file.name)

    with pytest.raises(ValidationError, match="no longer stored"):
        import_errors_csv(job=job)


def test_a_queued_job_has_no_failed_rows_yet(db):
    job = queue(customers_csv({**ANN, "email": "nope"}))

    assert rows_of(job)[1:] == []
