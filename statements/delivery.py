"""Statements by e-mail: a statement whose customer chose "e-mail" owes them an e-mail with the
PDF attached, sent as a lifecycle message (``messaging``: its outbox, consent, contact times,
wording per language and timeline), never by a mailer of our own.

When: in the chunk that writes the statements (``runs.statement_chunk_work`` calls
``statements_deliver``), in its transaction. The statement, its outbox row and its "delivered"
mark commit together or not at all, and the chunk's lock and done mark make a chunk delivered
twice write and mail once; no sweep has to find them afterwards. ``statements_deliver_owed``
mails what earlier runs left owed (statements written before this existed), once, by period.

``delivered_at`` is when the e-mail was put in the outbox; the message itself (the customer's
"Messages" panel) tells when it went out. A customer without consent to service messages by
e-mail, or without an e-mail address, gets no e-mail: the statement stays unmarked, in the
portal and on the staff page, "not sent".
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from crm.formatting import money
from messaging.models import Event, OutboundMessage
from messaging.services import Attachment, MessageRequest, outbound_messages_write

from .documents import period_text
from .models import Format, Statement
from .periods import Period
from .services import statement_filename
from .texts import statement_locale

PDF_TYPE = "application/pdf"


def statement_delivery_due(statement: Statement) -> bool:
    """True while an e-mail with this statement's PDF is owed to the customer."""
    return (
        statement.format == Format.EMAIL
        and statement.delivered_at is None
        and bool(statement.pdf_file)
    )


def statements_awaiting_delivery() -> QuerySet[Statement]:
    """Every statement owed by e-mail, oldest first (a partial index keeps this cheap)."""
    return (
        Statement.objects.filter(format=Format.EMAIL, delivered_at__isnull=True)
        .exclude(pdf_file="")
        .select_related("customer")
        .order_by("generated_at", "id")
    )


def statement_delivered(statement: Statement, *, at=None) -> bool:
    """Mark the statement sent; False when it was already (another worker sent it)."""
    return statements_delivered([statement], at=at) == 1


def statements_delivered(statements: list[Statement], *, at=None) -> int:
    """Mark these statements sent, in one UPDATE; how many were marked now (one marked
    already, by another worker, is left as it was and not counted)."""
    at = at or timezone.now()
    marked = Statement.objects.filter(
        pk__in=[statement.pk for statement in statements], delivered_at__isnull=True
    ).update(delivered_at=at)
    if marked:
        for statement in statements:
            statement.delivered_at = statement.delivered_at or at
    return marked


def statements_deliver(statements: list[Statement], *, now=None) -> int:
    """Put an e-mail with its PDF in the outbox for each of ``statements`` owed one, in one
    insert, and mark those mailed delivered in one UPDATE; the number of e-mails written.
    The messages are handed over after the commit. Call in the transaction that wrote the
    statements, or that holds them (``statements_deliver_owed``)."""
    now = now or timezone.now()
    owed = [statement for statement in statements if statement_delivery_due(statement)]
    requests = [_request(statement) for statement in owed]
    messages = outbound_messages_write(requests, now=now)
    mailed = {message.customer_id for message in messages}
    statements_delivered(
        [statement for statement in owed if statement.customer_id in mailed], at=now
    )
    return len(messages)


def _request(statement: Statement) -> MessageRequest:
    """The e-mail of one statement, in the statement's language, with its figures."""
    locale = statement_locale(statement.language)
    return MessageRequest(
        customer=statement.customer,
        event=Event.STATEMENT,
        language=statement.language,
        channels=(OutboundMessage.Channel.EMAIL,),
        values={
            "period": period_text(statement.period_start, statement.period_end, statement.language),
            "amount": money(statement.closing_balance, statement.currency, locale),
        },
        attachment=Attachment(
            name=statement.pdf_file.name,
            content_type=PDF_TYPE,
            filename=statement_filename(statement, "pdf"),
        ),
    )


def statements_deliver_owed(*, period: str, limit: int = 1000) -> int:
    """Mail the statements of ``period`` (YYYY-MM) still owed an e-mail, ``limit`` at a time;
    the e-mails written. For statements written before e-mails went out with the runs: call
    it once per period (a customer who had no consent then stays unmailed, not mailed months
    later). The rows are locked while they are mailed, so two calls at once mail each once."""
    period = str(Period.parse(period))
    with transaction.atomic():
        statements = list(
            statements_awaiting_delivery()
            .filter(period=period)
            .select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        return statements_deliver(statements)
