"""The retention work list as an export source (``crm.exports``): the same filters and sort
the page shows, with the churn reasons of each customer's newest score."""

from django.core.exceptions import PermissionDenied

from crm.exports.sources import ExportColumn, ExportQuery, ExportSource
from customers.models import LatestScores
from customers.services.audit import action_log_record

from . import selectors
from .forms import RetentionFilterForm

RETENTION = "retention"
EXPORTED = "risk.retention_exported"
# The page lists customers by their scores: whoever exports it needs both.
PERMISSIONS = ("customers.view_customer", "customers.view_latestscores")
_VALUE_SEGMENTS = dict(LatestScores.ValueSegment.choices)

FIELDS = (
    "customer_id",
    "customer__number",
    "customer__party__display_name",
    "customer__currency",
    "customer__account_manager__username",
    "value_segment",
    "lifetime_value",
    "churn_risk",
    "value_at_risk",
)
COLUMNS = (
    ExportColumn("Number", lambda row: row["customer__number"]),
    ExportColumn("Name", lambda row: row["customer__party__display_name"]),
    ExportColumn(
        "Value segment", lambda row: _VALUE_SEGMENTS.get(row["value_segment"], row["value_segment"])
    ),
    ExportColumn("Lifetime value", lambda row: row["lifetime_value"]),
    ExportColumn("Churn risk", lambda row: row["churn_risk"]),
    ExportColumn("Value at risk", lambda row: row["value_at_risk"]),
    ExportColumn("Currency", lambda row: row["customer__currency"]),
    ExportColumn("Why", lambda row: "; ".join(row["churn_reasons"])),
    ExportColumn("Account manager", lambda row: row["customer__account_manager__username"]),
)


def _churn_reasons(rows: list[dict]) -> None:
    """Each row's churn reasons, for a whole page in one query."""
    reasons = selectors.churn_reasons_of(row["customer_id"] for row in rows)
    for row in rows:
        row["churn_reasons"] = [str(reason) for reason in reasons.get(row["customer_id"], [])]


def retention_export_query(params, user) -> ExportQuery:
    """What the retention work list shows under the filters and sort of ``params``."""
    if not user.has_perms(PERMISSIONS):
        raise PermissionDenied
    cleaned = RetentionFilterForm.cleaned_or_error(params)
    return ExportQuery(
        queryset=selectors.retention_queryset(**RetentionFilterForm.selector_filters(cleaned)),
        order=selectors.retention_order(RetentionFilterForm.sort_of(cleaned)),
        fields=FIELDS,
        columns=COLUMNS,
        complete=_churn_reasons,
    )


def retention_export_record(user, data: dict) -> None:
    action_log_record(action=EXPORTED, customer=None, actor=user, data=data)


# The registry checks one permission: the scores one, which only staff who read the page hold
# with the customer one; the query refuses anyone without both.
RETENTION_SOURCE = ExportSource(
    name=RETENTION,
    title="Retention work list",
    permission="customers.view_latestscores",
    list_url_name="risk:retention",
    query=retention_export_query,
    record=retention_export_record,
)
