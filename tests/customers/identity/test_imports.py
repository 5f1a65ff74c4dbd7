"""CSV imports: the services that read a file, and the import_csv command that drives them."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from crm.sealed import lookup_digest
from customers.identity.models import DuplicateCandidate, IdentityKey, ImportJob
from customers.identity.services.identity import identity_keys_refresh
from customers.identity.services.imports import import_job_create, import_job_run
from customers.models import (
    ActionLog,
    ContactMedium,
    Customer,
    Invoice,
    LifecycleEvent,
    Party,
    Subscription,
)
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory, ProductFactory

Kind = ImportJob.Kind

CUSTOMER_COLUMNS = [
    "external_ref",
    "kind",
    "title",
    "given_name",
    "family_name",
    "birth_date",
    "national_id",
    "legal_name",
    "trading_name",
    "registration_number",
    "email",
    "mobile",
    "phone",
    "street",
    "postcode",
    "city",
    "country",
    "segment",
    "language",
    "status",
    "lead_source",
]
SUBSCRIPTION_COLUMNS = [
    "external_ref",
    "customer_ref",
    "product_code",
    "start_date",
    "monthly_charge",
    "contract_term_months",
    "end_date",
    "status",
    "service_id",
]
INVOICE_COLUMNS = [
    "invoice_number",
    "customer_ref",
    "issued_on",
    "due_on",
    "amount",
    "period_start",
    "paid_amount",
    "paid_on",
]

ZOE = {
    "external_ref": "CRM-1",
    "title": "Dr",
    "given_name": "Zoë",
    "family_name": "Müller",
    "birth_date": "1985-04-12",
    "national_id": "ab 123456 c",
    "email": "Zoe.Mueller@Example.com",
    "mobile": "07911 123456",
    "street": "1 High Street",
    "postcode": "ls1 1aa",
    "city": "Leeds",
    "country": "GB",
    "segment": "residential",
    "language": "de",
    "status": "Active",
    "lead_source": "shop",
}
ACME = {
    "external_ref": "CRM-2",
    "kind": "organization",
    "legal_name": "Acme Telecom Ltd",
    "trading_name": "Acme",
    "registration_number": "12345678",
    "email": "billing@acme.example",
    "phone": "+44 20 7946 0000",
    "segment": "small_business",
    "status": "prospect",
}
LEE = {"external_ref": "CRM-3", "family_name": "Lee"}
ANN = {
    "external_ref": "R-1",
    "given_name": "Ann",
    "family_name": "Archer",
    "email": "ann@example.com",
}
BOB = {
    "external_ref": "OK-1",
    "given_name": "Bob",
    "family_name": "Baker",
    "email": "bob@example.com",
}


def csv_bytes(columns: list[str], *rows: dict, delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def customers_csv(*rows: dict, delimiter: str = ",") -> bytes:
    return csv_bytes(CUSTOMER_COLUMNS, *rows, delimiter=delimiter)


def queue(
    raw: bytes,
    *,
    kind: str = Kind.CUSTOMERS,
    actor=None,
    on_duplicate: str = "refuse",
    batch_size: int = 1000,
) -> ImportJob:
    return import_job_create(
        kind=kind,
        file=ContentFile(raw, name=f"{kind}.csv"),
        actor=actor,
        on_duplicate=on_duplicate,
        batch_size=batch_size,
    )


def run(raw: bytes, **options) -> ImportJob:
    job = queue(raw, **options)
    return import_job_run(job_id=job.pk)


def errors_of(job: ImportJob) -> list[tuple[int, str, str]]:
    return [(e.row_number, e.field, e.message) for e in job.row_errors.all()]


# --- Customers --------------------------------------------------------------------------------


def test_a_customer_file_imports_parties_customers_and_normalised_contact_media(manager):
    job = run(customers_csv(ZOE, ACME, LEE), actor=manager)

    zoe = Customer.objects.select_related("party").get(external_ref="CRM-1")
    assert zoe.number.startswith("C")
    assert zoe.status == Customer.Status.ACTIVE
    assert zoe.status_reason == "import"
    assert zoe.segment == Customer.Segment.RESIDENTIAL
    assert zoe.lead_source == "shop"
    assert zoe.party.display_name == "Zoë Müller"
    assert zoe.party.title == "Dr"
    assert zoe.party.birth_date == datetime.date(1985, 4, 12)
    assert zoe.party.national_id == "AB123456C"
    assert set(zoe.party.contact_media.values_list("kind", "value")) == {
        ("email", "zoe.mueller@example.com"),
        ("mobile", "+447911123456"),
        ("postal", "1 High Street, LS1 1AA Leeds, GB"),
    }
    postal = zoe.party.contact_media.get(kind="postal")
    assert (postal.street, postal.postcode, postal.city, postal.country) == (
        "1 High Street",
        "LS1 1AA",
        "Leeds",
        "GB",
    )
    assert zoe.preferences.language == "de"

    acme = Customer.objects.select_related("party").get(external_ref="CRM-2")
    assert acme.party.kind == Party.Kind.ORGANIZATION
    assert acme.party.display_name == "Acme Telecom Ltd (Acme)"
    assert acme.status == Customer.Status.PROSPECT
    assert acme.segment == Customer.Segment.SMALL_BUSINESS
    assert set(acme.party.contact_media.values_list("kind", "value")) == {
        ("email", "billing@acme.example"),
        ("phone", "+442079460000"),
    }

    lee = Customer.objects.get(external_ref="CRM-3")
    assert lee.status == Customer.Status.LEAD
    assert lee.status_reason == ""
    assert lee.segment == Customer.Segment.RESIDENTIAL
    assert lee.lead_source == "import"
    assert lee.preferences.language == "en"
    assert job.status == ImportJob.Status.DONE


def test_a_lower_case_country_code_still_reads_national_phone_numbers(db):
    job = run(customers_csv({**ZOE, "country": "gb", "phone": "020 7946 0000"}))
    assert job.rows_failed == 0
    zoe = Customer.objects.get(external_ref="CRM-1")
    assert set(zoe.party.contact_media.values_list("kind", "value")) == {
        ("email", "zoe.mueller@example.com"),
        ("mobile", "+447911123456"),
        ("phone", "+442079460000"),
        ("postal", "1 High Street, LS1 1AA Leeds, GB"),
    }


def test_each_imported_customer_gets_a_lifecycle_event_and_an_action_log_entry(manager):
    job = run(customers_csv(ZOE, ACME), actor=manager)
    zoe = Customer.objects.get(external_ref="CRM-1")
    event = LifecycleEvent.objects.get(customer=zoe)
    assert (event.action, event.to_status, event.reason) == ("import", "active", "import")
    assert event.actor == manager
    assert event.note == "Imported from customers.csv, row 2"
    entry = ActionLog.objects.get(customer=zoe, action="customer.imported")
    assert entry.actor == manager
    assert entry.data == {
        "job": job.pk,
        "file": "customers.csv",
        "row": 2,
        "external_ref": "CRM-1",
    }
    acme = Customer.objects.get(external_ref="CRM-2")
    assert ActionLog.objects.get(customer=acme, action="customer.imported").data["row"] == 3


def test_an_import_without_an_uploader_is_logged_as_the_import_job(db):
    job = run(customers_csv(LEE))
    entry = ActionLog.objects.get(action="customer.imported")
    assert entry.actor is None
    assert entry.actor_label == f"import:{job.pk}"


def test_imported_customers_get_the_identity_keys_the_rest_of_the_product_computes(db):
    run(customers_csv(ZOE, ACME))
    for customer in Customer.objects.all():
        imported = set(customer.party.identity_keys.values_list("kind", "value"))
        assert imported
        identity_keys_refresh(party_ids=[customer.party_id])
        assert set(customer.party.identity_keys.values_list("kind", "value")) == imported
    zoe = Customer.objects.get(external_ref="CRM-1")
    assert IdentityKey.objects.filter(
        party=zoe.party, kind="email", value=lookup_digest("zoe.mueller@example.com")
    ).exists()
    assert IdentityKey.objects.filter(
        party=zoe.party, kind="nid", value=lookup_digest("AB123456C")
    ).exists()


def test_the_counters_add_up(db):
    run(customers_csv(LEE))
    twin = {**BOB, "external_ref": "OK-2"}
    bad = {**ANN, "email": "not-an-email"}
    job = run(customers_csv(LEE, BOB, bad, twin))
    assert job.status == ImportJob.Status.DONE
    assert job.started_at is not None and job.finished_at is not None
    assert (
        job.rows_total,
        job.rows_done,
        job.rows_created,
        job.rows_skipped,
        job.rows_failed,
        job.duplicates_queued,
    ) == (4, 4, 2, 1, 1, 1)
    assert job.percent_done == 100


def test_importing_the_same_file_again_creates_nothing_and_skips_every_row(db):
    raw = customers_csv(ZOE, ACME, LEE)
    run(raw)
    counts = (Party.objects.count(), ContactMedium.objects.count(), ActionLog.objects.count())
    again = run(raw)
    assert (again.rows_created, again.rows_skipped, again.rows_failed) == (0, 3, 0)
    assert again.duplicates_queued == 0
    assert Customer.objects.count() == 3
    assert (
        Party.objects.count(),
        ContactMedium.objects.count(),
        ActionLog.objects.count(),
    ) == counts
    assert not DuplicateCandidate.objects.exists()


BAD_CUSTOMER_ROWS = [
    ({"birth_date": "12/04/1985"}, "birth_date", "birth_date '12/04/1985' is not a date"),
    ({"birth_date": "2999-01-01"}, "birth_date", "The birth date cannot be in the future."),
    (
        {"status": "terminated"},
        "status",
        "status 'terminated' is not one of active, lead, prospect.",
    ),
    ({"segment": "gold"}, "segment", "segment 'gold' is not one of"),
    ({"kind": "robot"}, "kind", "kind 'robot' is not one of individual, organization."),
    ({"given_name": "", "family_name": ""}, "family_name", "A person needs"),
    (
        {"kind": "organization", "legal_name": ""},
        "legal_name",
        "An organisation needs its legal name.",
    ),
    ({"external_ref": ""}, "external_ref", "external_ref is required."),
    ({"external_ref": "R" * 65}, "external_ref", "external_ref is longer than 64 characters."),
    ({"given_name": "A" * 101}, "given_name", "given_name is longer than 100 characters."),
    ({"email": "not-an-email"}, "email", "email: Enter a valid e-mail address."),
    ({"mobile": "0000"}, "mobile", "mobile: '0000' is not a valid phone number"),
    ({"phone": "call me"}, "phone", "phone: 'call me' is not a"),
    ({"street": "1 Low Road", "city": ""}, "city", "A postal address needs"),
    ({"street": "", "city": "Leeds"}, "street", "A postal address needs"),
    (
        {"street": "1 Low Road", "city": "Leeds", "country": "England"},
        "country",
        "country is longer than 2 characters.",
    ),
    (
        {"street": "1 Low Road", "city": "Leeds", "postcode": "L" * 21},
        "postcode",
        "postcode is longer than 20 characters.",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_CUSTOMER_ROWS)
def test_a_bad_customer_row_is_refused_with_its_line_field_and_reason(db, change, field, message):
    job = run(customers_csv(BOB, {**ANN, **change}))
    error = job.row_errors.get()
    assert error.row_number == 3
    assert error.field == field
    assert message in error.message
    assert error.external_ref == {**ANN, **change}["external_ref"][:64]
    assert (job.rows_created, job.rows_failed, job.status) == (1, 1, ImportJob.Status.DONE)
    bob = Customer.objects.get()
    assert bob.external_ref == "OK-1"
    # Nothing of the refused row is written.
    assert Party.objects.count() == 1
    assert not ContactMedium.objects.exclude(party=bob.party).exists()
    assert not IdentityKey.objects.exclude(party=bob.party).exists()
    assert ActionLog.objects.count() == LifecycleEvent.objects.count() == 1


def test_an_external_ref_repeated_in_the_file_is_refused_and_names_its_first_row(db):
    job = run(customers_csv(BOB, ANN, {**ANN, "given_name": "Anna", "email": ""}))
    assert errors_of(job) == [(4, "external_ref", "external_ref R-1 is repeated (first at row 3).")]
    assert Customer.objects.get(external_ref="R-1").party.given_name == "Ann"
    assert Party.objects.count() == 2


def test_a_row_with_more_values_than_the_header_is_refused(db):
    raw = b"external_ref,family_name\nA-1,Smith\nA-2,Jones,unexpected\n"
    job = run(raw)
    assert errors_of(job) == [(3, "", "The row has more values than the header has columns.")]
    assert list(Customer.objects.values_list("external_ref", flat=True)) == ["A-1"]


def test_a_row_with_fewer_values_than_the_header_reads_the_missing_ones_as_blank(db):
    job = run(b"external_ref,family_name,email\nA-1,Smith\n")
    assert (job.rows_created, job.rows_failed) == (1, 0)
    assert not ContactMedium.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "external_ref,family_name\nA-1,Müller\n".encode("latin-1"),
            "The file is not UTF-8 text (row 2, family_name).",
        ),
        (b"", "The file is empty."),
        (b"  \n\n", "The file is empty."),
        (b"family_name,email\nSmith,s@example.com\n", "The file has no column external_ref."),
        (
            b"external_ref,family_name,shoe_size\nA-1,Smith,42\n",
            "Unknown columns: shoe_size.",
        ),
        (b'external_ref,family_name\nA-1,"Smith\nA-2,Jones\n', "The file is not valid CSV"),
        (b'external_ref,family_name\nA-1,"Sm"ith\nA-2,Jones\n', "The file is not valid CSV"),
        (b'"external_ref,family_name\nA-1,Smith\n', "The file is not valid CSV"),
    ],
    ids=[
        "latin-1",
        "empty",
        "blank",
        "missing-column",
        "unknown-column",
        "unclosed-quote",
        "text-after-quote",
        "broken-header",
    ],
)
def test_a_file_that_cannot_be_read_is_refused_before_anything_is_queued(db, raw, message):
    with pytest.raises(ValidationError) as refused:
        queue(raw)
    assert message in " ".join(refused.value.messages)
    assert not ImportJob.objects.exists()


def test_a_file_missing_a_required_column_lists_the_expected_columns(db):
    with pytest.raises(
        ValidationError,
        match=r"no column customer_ref, start_date\. Expected columns: contract_term_months, ",
    ):
        queue(b"external_ref,product_code\nS-1,MOB\n", kind=Kind.SUBSCRIPTIONS)


def test_an_unknown_import_kind_or_duplicate_choice_is_refused(db):
    with pytest.raises(ValidationError, match="Unknown import kind 'payments'"):
        queue(customers_csv(LEE), kind="payments")
    with pytest.raises(ValidationError, match="Unknown choice 'merge'"):
        queue(customers_csv(LEE), on_duplicate="merge")
    assert not ImportJob.objects.exists()


def test_a_queued_job_keeps_the_file_its_name_and_its_row_count(manager):
    job = queue(customers_csv(ZOE, ACME, LEE), actor=manager)
    assert (job.status, job.rows_total, job.rows_done) == (ImportJob.Status.QUEUED, 3, 0)
    assert job.original_name == "customers.csv"
    assert job.uploaded_by == manager
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("delimiter", "bom"), [(";", False), (",", True), (";", True), ("\t", False)]
)
def test_semicolon_and_tab_delimited_files_and_a_utf8_bom_are_read(db, delimiter, bom):
    raw = customers_csv({**ZOE, "street": "1 High Street, Flat 2"}, ACME, LEE, delimiter=delimiter)
    job = run(("\ufeff".encode() if bom else b"") + raw)
    assert (job.rows_created, job.rows_failed) == (3, 0)
    zoe = Customer.objects.get(external_ref="CRM-1")
    assert zoe.party.display_name == "Zoë Müller"
    assert zoe.party.contact_media.get(kind="postal").street == "1 High Street, Flat 2"


def test_windows_line_endings_and_quoted_values_with_line_breaks_are_read(db):
    raw = (
        b"external_ref,family_name,street,city\r\n"
        b'A-1,Smith,"Flat 2\r\n1 High Street",Leeds\r\n'
        b"A-2,Jones,,\r\n"
    )
    job = run(raw)
    assert (job.rows_total, job.rows_created, job.rows_failed) == (2, 2, 0)
    postal = ContactMedium.objects.get(kind="postal")
    assert postal.street == "Flat 2\r\n1 High Street"


def test_quotes_doubled_inside_a_quoted_value_are_read_as_one_quote_anywhere_in_the_file(db):
    # The delimiter is guessed from the start of the file; a quote late in the file must still
    # be read the standard way.
    filler = [{"external_ref": f"F-{n}", "family_name": f"Filler{n}"} for n in range(200)]
    job = run(customers_csv(*filler, {"external_ref": "Q-1", "family_name": 'Smith "Jr"'}))
    assert job.rows_failed == 0
    assert Customer.objects.get(external_ref="Q-1").party.family_name == 'Smith "Jr"'


# --- Duplicates -------------------------------------------------------------------------------


def _email(value: str, **fields) -> ContactMediumInput:
    return ContactMediumInput(kind="email", value=value, **fields)


def test_a_row_that_probably_is_an_existing_customer_is_imported_and_queued_for_review(db):
    existing = CustomerFactory(
        given_name="Sam", family_name="Taylor", contact_media=[_email("sam.taylor@example.com")]
    )
    row = {
        "external_ref": "T-1",
        "given_name": "Sam",
        "family_name": "Taylor",
        "email": "Sam.Taylor@Example.com",
    }
    job = run(customers_csv(row))
    imported = Customer.objects.get(external_ref="T-1")
    assert (job.rows_created, job.rows_failed, job.duplicates_queued) == (1, 0, 1)
    candidate = DuplicateCandidate.objects.get()
    assert (candidate.customer_low_id, candidate.customer_high_id) == (existing.pk, imported.pk)
    assert candidate.source == DuplicateCandidate.Source.IMPORT
    assert candidate.status == DuplicateCandidate.Status.OPEN
    assert "same e-mail" in candidate.reasons


def test_a_row_sharing_a_verified_email_with_an_existing_customer_is_refused(db):
    existing = CustomerFactory(
        given_name="Sam",
        family_name="Taylor",
        contact_media=[_email("sam.taylor@example.com", is_verified=True)],
    )
    row = {
        "external_ref": "T-1",
        "given_name": "Sam",
        "family_name": "Taylor",
        "email": "sam.taylor@example.com",
    }
    job = run(customers_csv(row))
    [(row_number, field, message)] = errors_of(job)
    assert (row_number, field) == (2, "")
    assert message.startswith(f"Already customer {existing.number} (")
    assert not Customer.objects.filter(external_ref="T-1").exists()
    assert not DuplicateCandidate.objects.exists()


NINA = {
    "external_ref": "N-1",
    "given_name": "Nina",
    "family_name": "Novak",
    "national_id": "xy 987654 z",
    "email": "nina.novak@example.com",
}


def test_a_row_with_the_national_id_of_an_existing_customer_is_refused(db):
    existing = CustomerFactory(given_name="Nina", family_name="Novak", national_id="XY987654Z")
    job = run(customers_csv(NINA, BOB))
    [error] = job.row_errors.all()
    assert error.row_number == 2
    assert error.external_ref == "N-1"
    assert error.message.startswith(f"Already customer {existing.number} (")
    assert "same national id" in error.message
    assert (job.rows_created, job.rows_failed, job.duplicates_queued) == (1, 1, 0)
    assert not Customer.objects.filter(external_ref="N-1").exists()
    assert Party.objects.filter(national_id_digest=lookup_digest("XY987654Z")).count() == 1


def test_with_on_duplicate_queue_a_row_with_a_known_national_id_is_imported_and_queued(db):
    existing = CustomerFactory(given_name="Nina", family_name="Novak", national_id="XY987654Z")
    job = run(customers_csv(NINA), on_duplicate=ImportJob.OnDuplicate.QUEUE)
    imported = Customer.objects.get(external_ref="N-1")
    assert (job.rows_created, job.rows_failed, job.duplicates_queued) == (1, 0, 1)
    candidate = DuplicateCandidate.objects.get()
    assert {candidate.customer_low_id, candidate.customer_high_id} == {existing.pk, imported.pk}
    assert candidate.source == DuplicateCandidate.Source.IMPORT
    assert "same national id" in candidate.reasons


def test_a_merged_away_customer_is_not_proposed_as_a_duplicate(db):
    merged = CustomerFactory(
        given_name="Sam",
        family_name="Taylor",
        contact_media=[_email("sam.taylor@example.com")],
        status=Customer.Status.MERGED,
    )
    row = {"external_ref": "T-1", "given_name": "Sam", "family_name": "Taylor"}
    row["email"] = "sam.taylor@example.com"
    job = run(customers_csv(row))
    assert job.rows_created == 1
    assert not DuplicateCandidate.objects.filter(customer_low=merged).exists()
    assert not DuplicateCandidate.objects.filter(customer_high=merged).exists()


def test_two_rows_of_one_person_in_a_file_are_both_imported_and_queued_as_a_pair(db):
    first = {**ANN, "mobile": "07911 123456"}
    second = {**ANN, "external_ref": "R-2", "given_name": "Anne"}
    job = run(customers_csv(first, BOB, second))
    assert (job.rows_created, job.rows_failed, job.duplicates_queued) == (3, 0, 1)
    candidate = DuplicateCandidate.objects.get()
    pair = {candidate.customer_low.external_ref, candidate.customer_high.external_ref}
    assert pair == {"R-1", "R-2"}
    assert candidate.source == DuplicateCandidate.Source.IMPORT


def test_two_rows_in_a_file_with_one_national_id_refuse_the_second(db):
    second = {**NINA, "external_ref": "N-2", "email": "nina@example.org"}
    job = run(customers_csv(NINA, BOB, second))
    assert errors_of(job) == [(4, "", "Same person as row 2 (same national id).")]
    assert not Customer.objects.filter(external_ref="N-2").exists()
    assert not DuplicateCandidate.objects.exists()


def test_with_on_duplicate_queue_two_rows_with_one_national_id_are_both_imported(db):
    second = {**NINA, "external_ref": "N-2", "email": "nina@example.org"}
    job = run(customers_csv(NINA, second), on_duplicate=ImportJob.OnDuplicate.QUEUE)
    assert (job.rows_created, job.rows_failed, job.duplicates_queued) == (2, 0, 1)
    candidate = DuplicateCandidate.objects.get()
    pair = {candidate.customer_low.external_ref, candidate.customer_high.external_ref}
    assert pair == {"N-1", "N-2"}


def test_different_people_in_one_file_are_not_queued(db):
    job = run(customers_csv(ZOE, ACME, LEE, ANN, BOB))
    assert (job.rows_created, job.duplicates_queued) == (5, 0)
    assert not DuplicateCandidate.objects.exists()


# --- Resuming and batches ---------------------------------------------------------------------

FIVE_ROWS = [
    {"external_ref": f"B-{n}", "given_name": name, "family_name": "Brown"}
    for n, name in enumerate(["Alma", "Bert", "Cleo", "Dirk", "Edda"], start=1)
]


def test_a_job_cut_off_mid_way_resumes_with_its_first_chunk_not_done(db):
    job = queue(customers_csv(*FIVE_ROWS), batch_size=2)
    assert list(job.chunks.values_list("first_id", "last_id")) == [(0, 1), (2, 3), (4, 4)]
    # The first two rows were imported before the job was cut off.
    job.chunks.filter(first_id=0).update(done_at=timezone.now(), attempts=1)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, rows_done=2, chunks_done=1
    )
    job = import_job_run(job_id=job.pk)
    assert sorted(Customer.objects.values_list("external_ref", flat=True)) == ["B-3", "B-4", "B-5"]
    assert (job.status, job.rows_done, job.rows_created) == (ImportJob.Status.DONE, 5, 3)
    assert (job.chunks_done, job.chunks_total, job.chunks_failed) == (3, 3, 0)


class Crash(Exception):
    pass


def _crash(job: ImportJob) -> None:
    raise Crash


def test_a_job_that_crashed_after_a_batch_carries_on_where_it_stopped(db):
    repeat = {**FIVE_ROWS[0], "given_name": "Alfred"}  # B-1 again, row 7
    job = queue(customers_csv(*FIVE_ROWS, repeat), batch_size=2)
    with pytest.raises(Crash):
        import_job_run(job_id=job.pk, progress=_crash)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_created) == (ImportJob.Status.RUNNING, 2, 2)
    job = import_job_run(job_id=job.pk)
    assert (job.status, job.rows_done, job.rows_created, job.rows_failed) == (
        ImportJob.Status.DONE,
        6,
        5,
        1,
    )
    assert errors_of(job) == [(7, "external_ref", "external_ref B-1 is repeated (first at row 2).")]
    assert Customer.objects.get(external_ref="B-1").party.given_name == "Alma"


def test_a_finished_job_is_not_run_again(db):
    job = run(customers_csv(*FIVE_ROWS))
    Customer.objects.filter(external_ref="B-1").update(external_ref="B-1-renamed")
    again = import_job_run(job_id=job.pk)
    assert again.rows_created == 5
    assert not Customer.objects.filter(external_ref="B-1").exists()


def test_progress_is_reported_after_every_batch(db):
    job = queue(customers_csv(*FIVE_ROWS), batch_size=2)
    seen = []
    import_job_run(job_id=job.pk, progress=lambda j: seen.append(j.rows_done))
    assert seen == [2, 4, 5]


@pytest.mark.parametrize("batch_size", [1000, 2, 1])
def test_a_file_larger_than_a_batch_gives_the_same_result(db, batch_size):
    rows = [
        ANN,  # row 2
        BOB,  # row 3
        {**ANN, "external_ref": "R-2", "given_name": "Anne"},  # row 4: Ann again
        {**ZOE, "email": "broken@"},  # row 5
        {**BOB, "external_ref": "OK-2", "family_name": "Bakers", "email": "b2@example.com"},
        {**LEE, "external_ref": "R-1"},  # row 7: R-1 was row 2
        {**NINA, "national_id": ""},  # row 8
    ]
    job = run(customers_csv(*rows), batch_size=batch_size)
    assert (
        job.rows_total,
        job.rows_done,
        job.rows_created,
        job.rows_skipped,
        job.rows_failed,
        job.duplicates_queued,
    ) == (7, 7, 5, 0, 2, 1)
    assert [(number, field) for number, field, _ in errors_of(job)] == [
        (5, "email"),
        (7, "external_ref"),
    ]
    assert sorted(Customer.objects.values_list("external_ref", flat=True)) == [
        "N-1",
        "OK-1",
        "OK-2",
        "R-1",
        "R-2",
    ]
    assert Customer.objects.get(external_ref="R-1").party.family_name == "Archer"


# --- Subscriptions ----------------------------------------------------------------------------


@pytest.fixture
def billing_setup(db):
    by_ref = CustomerFactory(status=Customer.Status.ACTIVE, external_ref="CRM-7")
    by_number = CustomerFactory(status=Customer.Status.ACTIVE)
    product = ProductFactory(code="MOB-S", list_price=Decimal("25.00"))
    return by_ref, by_number, product


def subscriptions_csv(*rows: dict) -> bytes:
    return csv_bytes(SUBSCRIPTION_COLUMNS, *rows)


SUB = {
    "external_ref": "SUB-1",
    "customer_ref": "CRM-7",
    "product_code": "MOB-S",
    "start_date": "2024-01-15",
    "monthly_charge": "19.99",
    "contract_term_months": "24",
    "service_id": "+447700900123",
}


def test_a_subscription_file_imports_by_external_ref_or_customer_number(billing_setup):
    by_ref, by_number, product = billing_setup
    ended = {
        "external_ref": "SUB-2",
        "customer_ref": by_number.number.lower(),
        "product_code": "MOB-S",
        "start_date": "2023-03-01",
        "end_date": "2024-03-01",
    }
    job = run(subscriptions_csv(SUB, ended), kind=Kind.SUBSCRIPTIONS)
    assert (job.rows_created, job.rows_failed) == (2, 0)
    first = Subscription.objects.get(external_ref="SUB-1")
    assert first.customer == by_ref
    assert first.product == product
    assert first.monthly_charge == Decimal("19.99")
    assert first.contract_term_months == 24
    assert first.start_date == datetime.date(2024, 1, 15)
    assert first.status == Subscription.Status.ACTIVE
    assert first.service_id == "+447700900123"
    second = Subscription.objects.get(external_ref="SUB-2")
    assert second.customer == by_number
    assert second.monthly_charge == Decimal("25.00")  # the list price
    assert second.end_date == datetime.date(2024, 3, 1)
    assert second.status == Subscription.Status.TERMINATED


def test_importing_the_same_subscriptions_again_skips_them(billing_setup):
    raw = subscriptions_csv(SUB, {**SUB, "external_ref": "SUB-2"})
    run(raw, kind=Kind.SUBSCRIPTIONS)
    again = run(raw, kind=Kind.SUBSCRIPTIONS)
    assert (again.rows_created, again.rows_skipped, again.rows_failed) == (0, 2, 0)
    assert Subscription.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"customer_ref": "NOPE"}, "customer_ref", "No customer with reference or number 'NOPE'."),
        ({"customer_ref": ""}, "customer_ref", "No customer with reference or number ''."),
        ({"product_code": "TV-X"}, "product_code", "No product with code 'TV-X'."),
        ({"end_date": "2024-01-14"}, "end_date", "end_date is before start_date."),
        ({"start_date": "15.01.2024"}, "start_date", "start_date '15.01.2024' is not a date"),
        ({"start_date": ""}, "start_date", "start_date is required."),
        ({"monthly_charge": "cheap"}, "monthly_charge", "monthly_charge 'cheap' is not a number."),
        ({"monthly_charge": "-5"}, "monthly_charge", "monthly_charge '-5' is out of range."),
        (
            {"monthly_charge": "10000000"},
            "monthly_charge",
            "monthly_charge '10000000' is out of range.",
        ),
        (
            {"contract_term_months": "two years"},
            "contract_term_months",
            "contract_term_months 'two years' is not a number of months.",
        ),
        ({"status": "cancelled"}, "status", "status 'cancelled' is not one of"),
        ({"external_ref": ""}, "external_ref", "external_ref is required."),
    ],
)
def test_a_bad_subscription_row_is_refused(billing_setup, change, field, message):
    good = {**SUB, "external_ref": "SUB-0"}
    job = run(subscriptions_csv(good, {**SUB, **change}), kind=Kind.SUBSCRIPTIONS)
    error = job.row_errors.get()
    assert (error.row_number, error.field) == (3, field)
    assert message in error.message
    assert (job.rows_created, job.rows_failed) == (1, 1)
    assert list(Subscription.objects.values_list("external_ref", flat=True)) == ["SUB-0"]


def test_a_subscription_of_a_terminated_customer_is_refused(billing_setup):
    CustomerFactory(status=Customer.Status.TERMINATED, external_ref="GONE-1")
    job = run(subscriptions_csv({**SUB, "customer_ref": "GONE-1"}), kind=Kind.SUBSCRIPTIONS)
    assert errors_of(job) == [
        (2, "customer_ref", "The customer's relationship has ended; re-establish it first.")
    ]
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("batch_size", [1000, 1])
def test_a_subscription_external_ref_repeated_in_the_file_is_refused_on_every_run(
    billing_setup, batch_size
):
    raw = subscriptions_csv(SUB, SUB)
    for _ in range(2):
        job = run(raw, kind=Kind.SUBSCRIPTIONS, batch_size=batch_size)
        assert errors_of(job) == [
            (3, "external_ref", "external_ref SUB-1 is repeated in the file.")
        ]
    assert (job.rows_created, job.rows_skipped) == (0, 1)
    assert Subscription.objects.count() == 1


def test_a_subscription_row_with_more_values_than_the_header_is_refused(billing_setup):
    raw = b"external_ref,customer_ref,product_code,start_date\nSUB-1,CRM-7,MOB-S,2024-01-15,9.99\n"
    job = run(raw, kind=Kind.SUBSCRIPTIONS)
    assert errors_of(job) == [(2, "", "The row has more values than the header has columns.")]
    assert not Subscription.objects.exists()


def test_a_subscription_of_a_merged_customer_goes_to_the_survivor(db):
    merged = CustomerFactory(external_ref="OLD-1", status=Customer.Status.MERGED)
    ProductFactory(code="MOB-S")
    job = run(subscriptions_csv({**SUB, "customer_ref": "OLD-1"}), kind=Kind.SUBSCRIPTIONS)
    assert job.rows_created == 1
    assert Subscription.objects.get().customer_id == merged.merged_into_id


# --- Invoices ---------------------------------------------------------------------------------


def invoices_csv(*rows: dict) -> bytes:
    return csv_bytes(INVOICE_COLUMNS, *rows)


INV = {
    "invoice_number": "INV-1",
    "customer_ref": "CRM-7",
    "issued_on": "2024-02-01",
    "due_on": "2024-02-15",
    "amount": "40.00",
    "paid_amount": "40.00",
    "paid_on": "2024-02-10",
}


def test_an_invoice_file_imports_invoices_and_payments(billing_setup):
    by_ref, by_number, _ = billing_setup
    open_invoice = {
        "invoice_number": "INV-2",
        "customer_ref": by_number.number,
        "issued_on": "2024-03-05",
        "due_on": "2024-03-19",
        "amount": "41,50",
        "period_start": "2024-02-15",
    }
    job = run(invoices_csv(INV, open_invoice), kind=Kind.INVOICES)
    assert (job.rows_created, job.rows_failed) == (2, 0)
    paid = Invoice.objects.get(number="INV-1")
    assert paid.customer == by_ref
    assert paid.period_start == datetime.date(2024, 2, 1)
    assert (paid.amount, paid.paid_amount) == (Decimal("40.00"), Decimal("40.00"))
    assert paid.paid_on == datetime.date(2024, 2, 10)
    unpaid = Invoice.objects.get(number="INV-2")
    assert unpaid.customer == by_number
    assert unpaid.amount == Decimal("41.50")
    assert unpaid.paid_amount == Decimal("0")
    assert unpaid.paid_on is None
    assert unpaid.period_start == datetime.date(2024, 2, 15)


def test_importing_the_same_invoices_again_skips_them(billing_setup):
    raw = invoices_csv(INV, {**INV, "invoice_number": "INV-2"})
    run(raw, kind=Kind.INVOICES)
    again = run(raw, kind=Kind.INVOICES)
    assert (again.rows_created, again.rows_skipped, again.rows_failed) == (0, 2, 0)
    assert Invoice.objects.count() == 2


def test_an_invoice_number_repeated_in_the_file_is_refused_in_any_batch(billing_setup):
    other = {**INV, "invoice_number": "INV-2"}
    job = run(invoices_csv(INV, other, INV), kind=Kind.INVOICES, batch_size=1)
    assert errors_of(job) == [
        (4, "invoice_number", "invoice_number INV-1 is repeated in the file.")
    ]
    assert Invoice.objects.count() == 2


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"due_on": "2024-01-31"}, "due_on", "due_on is before issued_on."),
        ({"amount": "lots"}, "amount", "amount 'lots' is not a number."),
        ({"amount": ""}, "amount", "amount is required."),
        ({"issued_on": "yesterday"}, "issued_on", "issued_on 'yesterday' is not a date"),
        ({"paid_on": "2024-13-01"}, "paid_on", "paid_on '2024-13-01' is not a date"),
        ({"customer_ref": "NOPE"}, "customer_ref", "No customer with reference or number 'NOPE'."),
        ({"invoice_number": ""}, "invoice_number", "invoice_number is required."),
        (
            {"invoice_number": "INV-" + "9" * 27},
            "invoice_number",
            "invoice_number is longer than 30 characters.",
        ),
    ],
)
def test_a_bad_invoice_row_is_refused(billing_setup, change, field, message):
    good = {**INV, "invoice_number": "INV-0"}
    job = run(invoices_csv(good, {**INV, **change}), kind=Kind.INVOICES)
    error = job.row_errors.get()
    assert (error.row_number, error.field) == (3, field)
    assert message in error.message
    assert (job.rows_created, job.rows_failed) == (1, 1)
    assert list(Invoice.objects.values_list("number", flat=True)) == ["INV-0"]


# --- The import_csv command -------------------------------------------------------------------


def test_the_command_imports_a_file_and_prints_the_summary(db, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(customers_csv(ZOE, ACME, LEE))
    out = io.StringIO()
    call_command("import_csv", "customers", str(path), stdout=out, stderr=io.StringIO())
    job = ImportJob.objects.get()
    assert (
        f"Import {job.pk}: 3 created, 0 already imported, 0 failed, "
        "0 possible duplicates queued." in out.getvalue()
    )
    assert Customer.objects.count() == 3
    assert job.original_name == "customers.csv"


def test_the_command_fails_on_row_errors_and_writes_them_to_a_file(db, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(customers_csv(BOB, {**ANN, "email": "nope"}))
    report = tmp_path / "errors.csv"
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"1 row\(s\) were not imported."):
        call_command(
            "import_csv",
            "customers",
            str(path),
            "--errors",
            str(report),
            "--batch-size",
            "1",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert "1 created, 0 already imported, 1 failed" in out.getvalue()
    assert f"Row errors written to {report}." in out.getvalue()
    rows = list(csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))))
    assert rows[0] == [*CUSTOMER_COLUMNS, "error"]
    failed = {**ANN, "email": "nope", "error": "email: Enter a valid e-mail address."}
    assert rows[1:] == [[failed.get(name, "") for name in [*CUSTOMER_COLUMNS, "error"]]]


def test_the_command_queues_duplicates_when_asked(db, tmp_path):
    CustomerFactory(given_name="Nina", family_name="Novak", national_id="XY987654Z")
    path = tmp_path / "customers.csv"
    path.write_bytes(customers_csv(NINA))
    out = io.StringIO()
    call_command(
        "import_csv",
        "customers",
        str(path),
        "--on-duplicate",
        "queue",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "1 created, 0 already imported, 0 failed, 1 possible duplicates queued" in (
        out.getvalue()
    )


def test_the_command_refuses_a_missing_file(db, tmp_path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(CommandError, match=re.escape(f"{missing} is not a file.")):
        call_command("import_csv", "customers", str(missing))
    assert not ImportJob.objects.exists()


def test_the_command_refuses_a_file_that_is_not_utf8(db, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes("external_ref,family_name\nA-1,Müller\n".encode("latin-1"))
    with pytest.raises(CommandError, match="The file is not UTF-8 text"):
        call_command("import_csv", "customers", str(path))
    assert not ImportJob.objects.exists()
    assert not Customer.objects.exists()


def test_the_command_refuses_a_batch_size_below_one(db, tmp_path):
    path = tmp_path / "customers.csv"
    path.write_bytes(customers_csv(LEE))
    with pytest.raises(CommandError, match=r"--batch-size must be at least 1\."):
        call_command("import_csv", "customers", str(path), "--batch-size", "0")
    assert not ImportJob.objects.exists()
