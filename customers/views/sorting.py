"""The customer list's column headers as sort links, with ``aria-sort`` for the sorted one."""

from dataclasses import dataclass

from customers.selectors import SCORE_SORTS

# Column -> (sort when the header is followed, {sort: aria-sort value} of the sorts it shows).
# Each sort has an index (customers.selectors.SORTS); a column offers only those.
_COLUMNS = {
    "number": ("newest", {"newest": "descending", "oldest": "ascending"}),
    "name": ("name", {"name": "ascending"}),
    "churn": ("churn", {"churn": "descending"}),
    "value": ("value", {"value": "descending"}),
}


@dataclass(frozen=True)
class SortHeader:
    query: str
    aria_sort: str
    title: str


def sort_headers(params, *, current: str, scores_visible: bool) -> dict[str, SortHeader]:
    """A link per sortable column to the list sorted by it (the number column turns the
    order round), keeping the filters and starting on the first page."""
    headers = {}
    for column, (target, shown) in _COLUMNS.items():
        if target in SCORE_SORTS and not scores_visible:
            continue
        aria_sort = shown.get(current, "none")
        if column == "number" and current == "newest":
            target = "oldest"
        query = params.copy()
        for key in ("after", "before", "sort"):
            query.pop(key, None)
        query["sort"] = target
        headers[column] = SortHeader(
            query=query.urlencode(),
            aria_sort=aria_sort,
            title=f"Sort by {column}" + (" (reverse)" if aria_sort != "none" else ""),
        )
    return headers
