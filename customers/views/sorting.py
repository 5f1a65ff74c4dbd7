"""The customer list's sortable columns (``crm.sorting``)."""

from crm.sorting import SortColumn, SortHeader, sort_headers
from customers.selectors import SCORE_SORTS

# Each sort has an index (customers.selectors.SORTS); a column offers only those.
_COLUMNS = (
    SortColumn(
        "number", "newest", {"newest": "descending", "oldest": "ascending"}, reverse="oldest"
    ),
    SortColumn("name", "name", {"name": "ascending"}),
    SortColumn("churn", "churn", {"churn": "descending"}),
    SortColumn("value", "value", {"value": "descending"}),
)


def customer_sort_headers(params, *, current: str, scores_visible: bool) -> dict[str, SortHeader]:
    """The headers ``user`` may sort by: the score columns only for whoever sees the scores."""
    columns = [c for c in _COLUMNS if scores_visible or c.sort not in SCORE_SORTS]
    return sort_headers(params, columns, current=current)
