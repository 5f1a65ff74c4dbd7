"""The chunks of a customer file run side by side, in any order, on several workers; the rows of
the file are still paired with each other exactly once, and one national id in two rows is
still one person."""

import threading

import pytest
from django.db import connection

from crm.jobs.kinds import job_kind
from crm.jobs.services import job_chunk_run, job_chunks_pending
from customers.identity.models import DuplicateCandidate, ImportJob
from customers.identity.services.imports import KIND, import_job_run
from customers.models import Customer
from tests.customers.identity.test_imports import (
    BOB,
    INVOICE_COLUMNS,
    NINA,
    csv_bytes,
    customers_csv,
    errors_of,
    queue,
)

IMPORT = job_kind(KIND)
ANN = {"external_ref": "A-1", "given_name": "Ann", "family_name": "Archer"}
ANN_AGAIN = {**ANN, "external_ref": "A-2", "given_name": "Anne"}
FILLER = [
    {"external_ref": f"F-{n}", "given_name": name, "family_name": "Fowler"}
    for n, name in enumerate(["Ida", "Jon", "Kai", "Lou"], start=1)
]
FILLER_TWO = [
    {"external_ref": f"G-{n}", "given_name": name, "family_name": "Gardner"}
    for n, name in enumerate(["Max", "Ned", "Ola"], start=1)
]
for row in (ANN, ANN_AGAIN):
    row.update(email="ann.archer@example.com", birth_date="1980-02-03", postcode="10115")


def _run_chunks_last_first(job: ImportJob) -> ImportJob:
    pending = job_chunks_pending(IMPORT, run_id=job.pk)
    for chunk_id in reversed(pending):
        assert job_chunk_run(IMPORT, chunk_id=chunk_id) is not None
    job.refresh_from_db()
    return job


def test_every_chunk_of_a_customer_file_may_be_taken_at_once(db):
    job = queue(customers_csv(ANN, *FILLER, ANN_AGAIN), batch_size=2)
    assert len(job_chunks_pending(IMPORT, run_id=job.pk)) == 3 == job.chunks_total


def test_the_chunks_of_a_fact_file_are_taken_one_after_another(db):
    invoices = [
        {
            "invoice_number": f"I-{n}",
            "customer_ref": "nobody",
            "issued_on": "2026-01-01",
            "due_on": "2026-01-15",
            "amount": "10",
        }
        for n in range(5)
    ]
    job = queue(csv_bytes(INVOICE_COLUMNS, *invoices), kind=ImportJob.Kind.INVOICES, batch_size=2)
    [first] = job_chunks_pending(IMPORT, run_id=job.pk)
    assert job_chunk_run(IMPORT, chunk_id=first) is not None
    assert len(job_chunks_pending(IMPORT, run_id=job.pk)) == 1


def test_one_person_in_the_first_and_last_chunk_is_paired_once_when_the_last_runs_first(db):
    job = _run_chunks_last_first(queue(customers_csv(ANN, *FILLER, ANN_AGAIN), batch_size=2))
    assert (job.status, job.rows_created, job.duplicates_queued) == ("done", 6, 1)
    candidate = DuplicateCandidate.objects.get()
    pair = {candidate.customer_low.external_ref, candidate.customer_high.external_ref}
    assert pair == {"A-1", "A-2"}
    assert candidate.source == DuplicateCandidate.Source.IMPORT
    assert not job.chunks.exclude(party_ids=[]).exists()  # what the last step needed is gone


def test_one_person_in_two_chunks_run_in_file_order_is_paired_once(db):
    job = import_job_run(job_id=queue(customers_csv(ANN, *FILLER, ANN_AGAIN), batch_size=2).pk)
    assert (job.rows_created, job.duplicates_queued) == (6, 1)
    assert DuplicateCandidate.objects.count() == 1


def test_a_repeated_national_id_is_refused_in_the_later_row_whichever_chunk_runs_first(db):
    second = {**NINA, "external_ref": "N-2", "email": "nina@example.org"}
    job = _run_chunks_last_first(queue(customers_csv(NINA, *FILLER, second), batch_size=2))
    assert errors_of(job) == [(7, "", "Same person as row 2 (same national id).")]
    assert Customer.objects.filter(external_ref="N-1").exists()
    assert not Customer.objects.filter(external_ref="N-2").exists()
    assert not DuplicateCandidate.objects.exists()


def test_with_on_duplicate_queue_a_repeated_national_id_is_imported_and_paired(db):
    second = {**NINA, "external_ref": "N-2", "email": "nina@example.org"}
    raw = customers_csv(NINA, *FILLER, second)
    job = _run_chunks_last_first(queue(raw, batch_size=2, on_duplicate="queue"))
    assert (job.rows_created, job.rows_failed, job.duplicates_queued) == (6, 0, 1)
    assert "same national id" in DuplicateCandidate.objects.get().reasons


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections write at once")
@pytest.mark.django_db(transaction=True)
def test_two_workers_import_one_file_at_once_and_pair_its_rows_once():
    people = [ANN, *FILLER, ANN_AGAIN, BOB, *FILLER_TWO]
    job = queue(customers_csv(*people), batch_size=2)
    pending = job_chunks_pending(IMPORT, run_id=job.pk)
    barrier = threading.Barrier(2)
    failures = []

    def worker(chunk_ids):
        try:
            barrier.wait(timeout=10)
            for chunk_id in chunk_ids:
                job_chunk_run(IMPORT, chunk_id=chunk_id)
        except Exception as error:  # the test reports whatever happened
            failures.append(error)
        finally:
            connection.close()  # the thread's own connection

    threads = [threading.Thread(target=worker, args=(pending[i::2],)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    job.refresh_from_db()
    assert (job.status, job.rows_created, job.rows_failed) == ("done", len(people), 0)
    assert (job.chunks_done, job.duplicates_queued) == (job.chunks_total, 1)
    assert DuplicateCandidate.objects.count() == 1
