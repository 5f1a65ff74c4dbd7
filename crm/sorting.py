"""A list's column headers as sort links, with ``aria-sort`` on the sorted one.

A list names, per sortable column, the sort its header asks for and the sorts under which that
column reads as sorted; a column whose header is followed while it is already sorted one way
asks for the other way, when the list offers one (``reverse``)."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SortColumn:
    """``sort`` is what following the header asks for; ``shown`` maps each sort under which
    this column is the sorted one to its ``aria-sort`` (ascending or descending); ``reverse``,
    when given, is the sort the header asks for while ``sort`` is the current one."""

    name: str
    sort: str
    shown: dict[str, str]
    reverse: str = ""


@dataclass(frozen=True)
class SortHeader:
    query: str
    aria_sort: str
    title: str


def sort_headers(params, columns: Iterable[SortColumn], *, current: str) -> dict[str, SortHeader]:
    """A link per column to the list sorted by it, keeping the filters and starting on the
    first page."""
    headers = {}
    for column in columns:
        aria_sort = column.shown.get(current, "none")
        target = column.reverse if column.reverse and current == column.sort else column.sort
        query = params.copy()
        for key in ("after", "before", "sort"):
            query.pop(key, None)
        query["sort"] = target
        headers[column.name] = SortHeader(
            query=query.urlencode(),
            aria_sort=aria_sort,
            title=f"Sort by {column.name}" + (" (reverse)" if aria_sort != "none" else ""),
        )
    return headers
