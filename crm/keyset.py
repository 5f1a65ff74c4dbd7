"""Keyset paging: a page is "the next N rows after this one" in a fixed order.

Page 20,000 costs what page 1 does (an index range scan from the cursor, no OFFSET) and the
list is never counted. An order is a tuple of field paths (``"-latest_scores__churn_risk"``,
``"party__sort_key"``); the last one must be unique so that every row has one place. The
cursor is the ordering values of a page's edge row, JSON in URL-safe base64; a cursor that was
tampered with is a ``ValidationError`` the page shows, never a server error.
"""

import base64
import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import reduce

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

BROKEN = "That page link is broken; start again from the first page."
OTHER_ORDER = "That page link belongs to another sort order."


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next_cursor: str | None
    previous_cursor: str | None


def cursor_encode(values: list) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(token: str, *, width: int) -> list:
    """The values of a cursor made for an order of ``width`` fields."""
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise ValidationError(BROKEN) from None
    if not isinstance(values, list) or len(values) != width:
        raise ValidationError(OTHER_ORDER)
    if not all(isinstance(value, (str, int, float)) for value in values):
        raise ValidationError(BROKEN)
    return values


def cursor_values(row, order: Sequence[str]) -> list:
    """The ordering values of ``row``, as a cursor carries them."""
    values = []
    for field in order:
        value = row
        for step in field.lstrip("-").split("__"):
            value = getattr(value, step)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, (datetime, date)):
            value = value.isoformat()
        values.append(value)
    return values


def cursor_of(row, order: Sequence[str]) -> str:
    """The cursor of the page that starts right after ``row``."""
    return cursor_encode(cursor_values(row, order))


def rows_beyond(order: Sequence[str], values: list, *, backwards: bool) -> Q:
    """Rows after the cursor in the order (before it, going backwards): the first column
    beyond its value, or equal to it and the next column beyond, and so on."""
    alternatives = []
    equal_so_far = Q()
    for field, value in zip(order, values, strict=True):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") != backwards else "gt"
        alternatives.append(equal_so_far & Q(**{f"{name}__{lookup}": value}))
        equal_so_far &= Q(**{name: value})
    beyond = reduce(operator.or_, alternatives)
    if len(order) == 1:
        return beyond
    # The plain bound on the first column repeats what the OR says, so that the database can
    # start the index scan at the cursor instead of filtering from the first row.
    first = order[0].lstrip("-")
    bound = "lte" if order[0].startswith("-") != backwards else "gte"
    return Q(**{f"{first}__{bound}": values[0]}) & beyond


def order_reversed(order: Sequence[str]) -> list[str]:
    return [field[1:] if field.startswith("-") else f"-{field}" for field in order]


def keyset_page(
    queryset: QuerySet,
    *,
    order: Sequence[str],
    after: str = "",
    before: str = "",
    page_size: int,
) -> KeysetPage:
    """One page of ``queryset`` in ``order``: the first, the one after the ``after`` cursor, or
    the one before the ``before`` cursor. Raises ValidationError for a broken cursor."""
    backwards = bool(before) and not after
    token = after or before
    if token:
        values = cursor_decode(token, width=len(order))
        try:
            queryset = queryset.filter(rows_beyond(order, values, backwards=backwards))
        except (ValueError, TypeError, ValidationError):
            # A value of the wrong type for its column (an id that is not a number …).
            raise ValidationError(BROKEN) from None
    queryset = queryset.order_by(*(order_reversed(order) if backwards else order))
    rows = list(queryset[: page_size + 1])
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    if backwards:
        rows.reverse()
    more_before = bool(after) or (backwards and has_more)
    more_after = has_more if not backwards else True
    return KeysetPage(
        rows=rows,
        next_cursor=cursor_of(rows[-1], order) if rows and more_after else None,
        previous_cursor=cursor_of(rows[0], order) if rows and more_before else None,
    )


def query_without_cursor(params) -> str:
    """The page's filters as a query string for the pager's links, which add their own cursor."""
    query = params.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return query.urlencode()
