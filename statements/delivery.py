"""The seam where lifecycle messages take over: a statement whose customer chose "e-mail"
owes them an e-mail with the PDF attached.

The messaging app is beneath this one (statements may import it; it may not import
statements), so the sending is started from here: once messaging offers a send service, a
task of this app reads ``statements_awaiting_delivery()``, hands each statement's PDF
(``services.statement_file(statement, "pdf")``) to it, and marks it with
``statement_delivered``, whose claim makes two workers never send one twice.
"""

from django.db.models import QuerySet
from django.utils import timezone

from .models import Format, Statement


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
    at = at or timezone.now()
    claimed = Statement.objects.filter(pk=statement.pk, delivered_at__isnull=True).update(
        delivered_at=at
    )
    if claimed:
        statement.delivered_at = at
    return bool(claimed)
