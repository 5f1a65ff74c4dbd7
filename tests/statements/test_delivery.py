"""Statements by e-mail: the customer who chose e-mail and consented to service messages gets
the PDF once, in their language, through the messaging outbox; nobody else gets anything."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.jobs.models import JobStatus
from customers.models import Customer, Interaction
from messaging.defaults import DEFAULT_TEXTS
from messaging.models import Event, OutboundMessage
from messaging.services import outbound_messages_sweep
from messaging.tasks import outbound_message_send
from statements import services
from statements.delivery import statements_awaiting_delivery, statements_deliver_owed
from statements.models import Statement, StatementRun
from statements.runs import statement_chunk_run, statement_chunk_work, statement_run_start

from .test_runs import run_here

# The period as each language's statement writes it, and the closing balance (30.00 owed).
PERIOD = {
    "en": "1 Nov 2026 \N{EN DASH} 30 Nov 2026",
    "de": "01.11.2026 \N{EN DASH} 30.11.2026",
    "fr": "1 nov. 2026 \N{EN DASH} 30 nov. 2026",
    "es": "1 nov 2026 \N{EN DASH} 30 nov 2026",
}
AMOUNT = {"en": "€30.00", "de": "30,00", "fr": "30,00", "es": "30,00"}


def _run_and_send(django_capture_on_commit_callbacks) -> StatementRun:
    with django_capture_on_commit_callbacks(execute=True):
        return run_here(statement_run_start(period="2026-11"))


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
def test_a_customer_who_chose_email_gets_the_pdf_in_their_language(
    mailable, tasks_in_process, django_capture_on_commit_callbacks, language
):
    customer = mailable(language=language, email="lena@example.com")

    _run_and_send(django_capture_on_commit_callbacks)

    [sent] = mail.outbox
    subject = DEFAULT_TEXTS[Event.STATEMENT][language][0].format(period=PERIOD[language])
    assert (sent.subject, sent.to) == (subject, ["lena@example.com"])
    assert customer.number in sent.body and AMOUNT[language] in sent.body
    [(filename, content, content_type)] = sent.attachments
    assert filename == f"statement-{customer.number}-2026-11.pdf"
    assert content_type == "application/pdf" and content.startswith(b"%PDF")
    statement = Statement.objects.get(customer=customer)
    assert content == services.statement_file(statement, "pdf").read()
    assert statement.delivered_at is not None
    message = OutboundMessage.objects.get(customer=customer)
    assert (message.event, message.status, message.language) == ("statement", "sent", language)
    recorded = Interaction.objects.get(pk=message.interaction_id)
    assert (recorded.kind, recorded.direction) == ("billing", "outbound")


def test_without_consent_to_service_messages_no_mail_and_the_statement_stays_owed(
    mailable, tasks_in_process, django_capture_on_commit_callbacks
):
    customer = mailable(consent=False)

    _run_and_send(django_capture_on_commit_callbacks)

    assert not mail.outbox and not OutboundMessage.objects.exists()
    assert Statement.objects.get(customer=customer).delivered_at is None


def test_a_customer_who_reads_statements_in_the_portal_gets_no_mail(
    mailable, tasks_in_process, django_capture_on_commit_callbacks
):
    customer = mailable(statement_format="portal")

    _run_and_send(django_capture_on_commit_callbacks)

    assert not mail.outbox and not OutboundMessage.objects.exists()
    assert Statement.objects.get(customer=customer).delivered_at is None
    assert not statements_awaiting_delivery().exists()


def test_a_run_a_chunk_and_the_sweeps_twice_send_once(
    mailable, tasks_in_process, django_capture_on_commit_callbacks
):
    customer = mailable()
    run = _run_and_send(django_capture_on_commit_callbacks)
    [chunk_id] = run.chunks.values_list("pk", flat=True)

    with django_capture_on_commit_callbacks(execute=True):
        assert statement_chunk_run(chunk_id=chunk_id) == 0
        assert statement_chunk_run(chunk_id=chunk_id) == 0
        again = run_here(statement_run_start(period="2026-11"))
        assert statements_deliver_owed(period="2026-11") == 0
        assert statements_deliver_owed(period="2026-11") == 0
        later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        assert outbound_messages_sweep(now=later) == 0
        assert outbound_messages_sweep(now=later) == 0

    assert again.statements_written == 0
    assert len(mail.outbox) == 1
    assert OutboundMessage.objects.filter(customer=customer).count() == 1


def test_statements_written_before_are_mailed_once_by_period(
    mailable, tasks_in_process, django_capture_on_commit_callbacks
):
    customer = mailable()
    run_here(statement_run_start(period="2026-11"))  # its hand-offs never run
    OutboundMessage.objects.all().delete()
    Statement.objects.update(delivered_at=None)  # as if written before e-mails went out

    with django_capture_on_commit_callbacks(execute=True):
        assert statements_deliver_owed(period="2026-10") == 0
        assert statements_deliver_owed(period="2026-11") == 1
        assert statements_deliver_owed(period="2026-11") == 0

    assert [m.to for m in mail.outbox] == [[customer.party.contact_media.get().value]]


def test_an_attachment_no_longer_stored_fails_the_message_with_a_clear_error(
    mailable, tasks_in_process
):
    customer = mailable()
    run_here(statement_run_start(period="2026-11"))  # the message waits for its hand-off
    services.statement_files_delete(customer_ids=[customer.pk])  # erased meanwhile
    message = OutboundMessage.objects.get()

    assert outbound_message_send.apply(args=[message.pk]).get() == "failed"

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.FAILED
    assert "no longer stored" in message.last_error
    assert f"statement-{customer.number}-2026-11.pdf" in message.last_error
    assert not mail.outbox
    # Failed for good: the sweep does not try it again.
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=2)
    assert outbound_messages_sweep(now=later) == 0


def test_the_queries_of_a_chunk_do_not_grow_with_the_customers_mailed(mailable):
    def queries_for(count: int) -> int:
        """A run over ``count`` customers, each mailed (the runs before are forgotten)."""
        Statement.objects.all().delete()
        OutboundMessage.objects.all().delete()
        StatementRun.objects.update(status=JobStatus.DONE)
        while Customer.objects.count() < count:
            mailable()
        run = statement_run_start(period="2026-11")
        with CaptureQueriesContext(connection) as captured:
            written = statement_chunk_work(run, run.chunks.get())
        assert written == {"statements_written": count}
        assert OutboundMessage.objects.count() == count
        assert not statements_awaiting_delivery().exists()
        return len(captured)

    assert queries_for(2) == queries_for(7)
