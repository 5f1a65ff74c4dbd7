"""How many rows a list's filters select: exact while that is cheap, else the planner's estimate.

Counting a million rows on every page view is what made the peers slow. The exact count reads
at most ``EXACT_UP_TO`` + 1 rows; beyond that PostgreSQL's planner says about how many there
are (its estimate, from the table statistics, costs no row read), and the page says "about".
"""

import json
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet

from crm.keyset import KeysetPage, keyset_page

EXACT_UP_TO = 10_000


@dataclass(frozen=True)
class RowCount:
    rows: int
    exact: bool


def rows_counted(queryset: QuerySet, *, exact_up_to: int = EXACT_UP_TO) -> RowCount:
    queryset = queryset.order_by()
    bounded = queryset[: exact_up_to + 1].count()
    if bounded <= exact_up_to:
        return RowCount(bounded, exact=True)
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return RowCount(queryset.count(), exact=True)
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    estimate = int(plan[0]["Plan"]["Plan Rows"])
    # The estimate can fall short of what was just counted; never say fewer than that.
    return RowCount(max(estimate, exact_up_to + 1), exact=False)


@dataclass(frozen=True)
class CountedPage(KeysetPage):
    """A keyset page and how many rows the list's filters select in all."""

    count: RowCount | None = None


def page_counted(queryset: QuerySet, page: KeysetPage) -> RowCount:
    """How many rows ``queryset`` holds, ``page`` being one page of it: a page with nothing
    before or after it holds every row and is its own count."""
    if not page.next_cursor and not page.previous_cursor:
        return RowCount(len(page.rows), exact=True)
    return rows_counted(queryset)


def keyset_page_counted(queryset: QuerySet, *, order, **paging) -> CountedPage:
    """``crm.keyset.keyset_page`` with the list's count."""
    page = keyset_page(queryset, order=order, **paging)
    return CountedPage(
        rows=page.rows,
        next_cursor=page.next_cursor,
        previous_cursor=page.previous_cursor,
        count=page_counted(queryset, page),
    )
