"""Files an import must survive: a bad row is that row's error, a broken file is refused at
upload with the row that breaks it, and neither ever fails the job."""

import csv

import pytest
from django.core.exceptions import ValidationError

from customers.identity.models import ImportJob
from customers.models import Customer, Invoice
from tests.customers.identity.test_imports import errors_of, queue, run
from tests.factories import CustomerFactory

NUL_IN_FAMILY_NAME = "family_name holds a NUL character (byte 0); remove it."


def customer_lines(count: int) -> list[bytes]:
    return [f"A-{n},Family{n},a{n}@example.com\n".encode() for n in range(1, count + 1)]


def test_a_nul_in_one_row_is_that_rows_error_and_the_other_rows_import(db):
    lines = customer_lines(18)
    lines[6] = b"A-7,Fam\x00ily7,a7@example.com\n"
    job = run(b"external_ref,family_name,email\n" + b"".join(lines), batch_size=5)

    assert (job.status, job.rows_total, job.rows_created, job.rows_failed) == (
        ImportJob.Status.DONE,
        18,
        17,
        1,
    )
    assert errors_of(job) == [(8, "family_name", NUL_IN_FAMILY_NAME)]
    assert job.row_errors.get().external_ref == "A-7"
    assert not Customer.objects.filter(external_ref="A-7").exists()


def test_a_nul_in_the_reference_still_records_the_rows_error(db):
    job = run(b"external_ref,family_name\nA-\x001,Archer\nA-2,Baker\n")

    [error] = job.row_errors.all()
    assert (error.row_number, error.field, error.external_ref) == (2, "external_ref", "A-\ufffd1")
    assert list(Customer.objects.values_list("external_ref", flat=True)) == ["A-2"]


def test_a_nul_in_an_invoice_row_is_that_rows_error(db):
    CustomerFactory(status=Customer.Status.ACTIVE, external_ref="CRM-7")
    raw = (
        b"invoice_number,customer_ref,issued_on,due_on,amount\n"
        b"INV-1,CRM-7,2026-01-01,2026-01-15,1\x000.00\n"
        b"INV-2,CRM-7,2026-01-01,2026-01-15,10.00\n"
    )
    job = run(raw, kind=ImportJob.Kind.INVOICES)

    assert errors_of(job) == [(2, "amount", "amount holds a NUL character (byte 0); remove it.")]
    assert list(Invoice.objects.values_list("number", flat=True)) == ["INV-2"]


def test_a_file_of_a_header_only_is_done_at_once_with_nothing_imported(db):
    job = queue("\ufeffexternal_ref,family_name\r\n".encode())

    assert (job.status, job.rows_total, job.chunks_total) == (ImportJob.Status.DONE, 0, 0)


def test_mixed_line_ends_and_a_bom_are_read_as_rows(db):
    raw = "\ufeffexternal_ref,family_name\r\nA-1,Archer\nA-2,Baker\rA-3,Cole\r\n".encode()
    job = run(raw)

    assert (job.rows_total, job.rows_created, job.rows_failed) == (3, 3, 0)
    assert set(Customer.objects.values_list("party__family_name", flat=True)) == {
        "Archer",
        "Baker",
        "Cole",
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "external_ref,family_name\nA-1,Archer\nA-2,Müller\n".encode("latin-1"),
            "The file is not UTF-8 text (row 3, family_name). Save it as 'CSV UTF-8'",
        ),
        (
            "external_ref,famïly_name\nA-1,Archer\n".encode("latin-1"),
            "The header row is not UTF-8 text",
        ),
        (
            b"external_ref,family_name\nA-1,Archer\nA-2,"
            + b"x" * (csv.field_size_limit() + 1)
            + b"\nA-3,Cole\n",
            "The file is not valid CSV at row 3: field larger than field limit (131072).",
        ),
        (
            b'external_ref,family_name\nA-1,Archer\nA-2,"Sm"ith\nA-3,Cole\n',
            "The file is not valid CSV at row 3: ',' expected after '\"'.",
        ),
        (b"external_\x00ref,family_name\nA-1,Archer\n", "The header row holds a NUL character"),
    ],
    ids=["latin-1-row", "latin-1-header", "field-beyond-limit", "bad-quoting", "nul-in-header"],
)
def test_a_file_broken_at_a_row_is_refused_at_upload_naming_the_row(db, raw, message):
    with pytest.raises(ValidationError) as refused:
        queue(raw)

    assert message in " ".join(refused.value.messages)
    assert not ImportJob.objects.exists()
