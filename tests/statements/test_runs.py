"""The monthly run: a job of crm.jobs over chunks of customers, idempotent and resumable, with
a fixed number of queries per chunk."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.jobs.kinds import job_kind
from crm.jobs.services import job_run_here
from statements import tasks
from statements.delivery import (
    statement_delivered,
    statement_delivery_due,
    statements_awaiting_delivery,
)
from statements.models import Statement, StatementChunk, StatementRun
from statements.periods import Period
from statements.runs import KIND, statement_chunk_run, statement_chunk_work, statement_run_start

from .conftest import invoice, payment


def run_here(run: StatementRun) -> StatementRun:
    job_run_here(job_kind(KIND), run=run)
    run.refresh_from_db()
    return run


def test_a_run_writes_one_statement_per_customer_due(seeded, customer_with):
    customer_with(frequency="quarterly")

    run = run_here(statement_run_start(period="2026-11"))

    assert run.status == StatementRun.Status.DONE
    assert run.statements_written == 1
    statement = Statement.objects.get()
    assert statement.customer == seeded
    assert statement.closing_balance == Decimal("41.25")
    assert (statement.invoice_count, statement.payment_count) == (1, 2)


def test_running_a_period_twice_writes_no_second_statement(seeded):
    run_here(statement_run_start(period="2026-11"))
    again = run_here(statement_run_start(period="2026-11"))

    assert again.statements_written == 0
    assert Statement.objects.filter(customer=seeded, period="2026-11").count() == 1


def test_a_chunk_delivered_twice_writes_once(seeded):
    run = statement_run_start(period="2026-11")
    [chunk_id] = run.chunks.values_list("pk", flat=True)

    assert statement_chunk_run(chunk_id=chunk_id) == 1
    assert statement_chunk_run(chunk_id=chunk_id) == 0
    assert Statement.objects.count() == 1


def test_a_chunk_whose_worker_died_is_taken_over_and_writes_once(seeded, settings):
    run = statement_run_start(period="2026-11")
    chunk = run.chunks.get()
    # A worker claimed it and died: its lease ran out, the sweep hands it to another.
    StatementChunk.objects.filter(pk=chunk.pk).update(
        claimed_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), attempts=1
    )

    assert statement_chunk_run(chunk_id=chunk.pk) == 1
    assert statement_chunk_run(chunk_id=chunk.pk) == 0
    run.refresh_from_db()
    assert run.status == StatementRun.Status.DONE
    assert Statement.objects.count() == 1


def test_the_chunk_work_itself_done_twice_skips_the_customers_already_stated(seeded):
    run = statement_run_start(period="2026-11")
    chunk = run.chunks.get()

    assert statement_chunk_work(run, chunk) == {"statements_written": 1}
    assert statement_chunk_work(run, chunk) == {"statements_written": 0}


def test_the_database_refuses_a_second_statement_for_a_customer_and_period(seeded):
    run_here(statement_run_start(period="2026-11"))
    first = Statement.objects.get()
    first.pk = None

    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()


def test_the_monthly_task_writes_the_statements_of_the_period(
    seeded, tasks_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.statements_generate_monthly("2026-11")

    assert result.startswith("run ")
    assert Statement.objects.get().period == "2026-11"


def test_the_monthly_task_reports_a_run_in_progress_instead_of_failing(seeded):
    statement_run_start(period="2026-11")

    assert "already in progress" in tasks.statements_generate_monthly("2026-11")


def test_the_monthly_task_without_a_period_closes_last_month(db):
    result = tasks.statements_generate_monthly()

    run = StatementRun.objects.get()
    assert result == f"run {run.pk} for {run.period}"
    assert run.period == str(Period.before(timezone.localdate()))


def test_the_month_before_the_first_of_january_is_last_december():
    assert str(Period.before(datetime.date(2027, 1, 1))) == "2026-12"
    assert str(Period.before(datetime.date(2026, 12, 1))) == "2026-11"


def test_a_bad_period_is_refused_with_a_clear_message(db):
    assert "YYYY-MM" in tasks.statements_generate_monthly("2026-13")


def test_a_chunk_of_many_customers_costs_the_same_queries_as_one(
    customer_with, django_assert_max_num_queries
):
    customers = [customer_with(itemised=n % 2 == 0) for n in range(30)]
    for n, customer in enumerate(customers):
        invoice(customer, f"INV-MANY-{n}", datetime.date(2026, 11, 2), "10.00")
        payment(customer, f"PAY-MANY-{n}", datetime.date(2026, 11, 20), "10.00")
    run = statement_run_start(period="2026-11")
    chunk = run.chunks.get()

    # Customers due, invoices, payments, addresses, the bulk insert; then the consents to
    # service messages (none here: no e-mail is written, see test_delivery.py).
    with django_assert_max_num_queries(6):
        counts = statement_chunk_work(run, chunk)

    assert counts == {"statements_written": 30}


def test_statements_sent_by_email_are_due_for_delivery_once(seeded, customer_with):
    customer_with(statement_format="portal")
    run_here(statement_run_start(period="2026-11"))

    [owed] = statements_awaiting_delivery()
    assert owed.customer == seeded
    assert statement_delivery_due(owed)
    assert statement_delivered(owed) is True
    assert statement_delivered(owed) is False
    assert not statement_delivery_due(owed)
    assert list(statements_awaiting_delivery()) == []
