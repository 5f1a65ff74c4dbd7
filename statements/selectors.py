"""Reads of statements: the staff pages and the customer portal use these."""

from django.db.models import QuerySet

from customers.models import Customer

from .models import Statement, StatementRun

RECENT_RUNS = 24


def statements_of(customer: Customer) -> QuerySet[Statement]:
    """The customer's statements, newest period first (the customer loaded once)."""
    return (
        Statement.objects.filter(customer=customer)
        .select_related("customer")
        .order_by("-period", "-id")
    )


def statement_get(*, statement_id: int) -> Statement:
    """Raises Statement.DoesNotExist."""
    return Statement.objects.select_related("customer").get(pk=statement_id)


def statement_runs_recent() -> list[StatementRun]:
    return list(StatementRun.objects.order_by("-requested_at", "-id")[:RECENT_RUNS])


PANEL_STATEMENTS = 4


def customer_statements_panel(customer: Customer) -> dict:
    """The statements panel on the customer page: the latest few, in one query."""
    return {
        "statements": list(
            Statement.objects.filter(customer=customer)
            .defer("run")
            .order_by("-period", "-id")[:PANEL_STATEMENTS]
        ),
        "shown": PANEL_STATEMENTS,
    }
