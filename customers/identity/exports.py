"""The import list as an export source (``crm.exports``): the same filters and order the page
shows, with what the page and each import's own page tell of it."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.exports.sources import ExportColumn, ExportQuery, ExportSource
from customers.identity import selectors
from customers.identity.forms import ImportFilterForm
from customers.identity.models import ImportJob
from customers.services.audit import action_log_record

IMPORTS = "imports"
EXPORTED = "imports.exported"
_STATUSES = dict(ImportJob.Status.choices)
_KINDS = dict(ImportJob.Kind.choices)


def _local(moment):
    """A time as the page shows it: in the staff's time zone, not the database's UTC."""
    return timezone.localtime(moment) if moment else None


FIELDS = (
    "id",
    "original_name",
    "kind",
    "uploaded_by__username",
    "requested_at",
    "finished_at",
    "status",
    "rows_total",
    "rows_created",
    "rows_skipped",
    "rows_failed",
    "duplicates_queued",
    "error",
)
COLUMNS = (
    ExportColumn("Import", lambda row: row["id"]),
    ExportColumn("File", lambda row: row["original_name"]),
    ExportColumn("Kind", lambda row: _KINDS.get(row["kind"], row["kind"])),
    ExportColumn("Uploaded by", lambda row: row["uploaded_by__username"]),
    ExportColumn("Requested", lambda row: _local(row["requested_at"])),
    ExportColumn("Finished", lambda row: _local(row["finished_at"])),
    ExportColumn("Status", lambda row: _STATUSES.get(row["status"], row["status"])),
    ExportColumn("Rows", lambda row: row["rows_total"]),
    ExportColumn("Created", lambda row: row["rows_created"]),
    ExportColumn("Skipped", lambda row: row["rows_skipped"]),
    ExportColumn("Failed", lambda row: row["rows_failed"]),
    ExportColumn("Queued as duplicates", lambda row: row["duplicates_queued"]),
    ExportColumn("Error", lambda row: row["error"]),
)


def import_export_query(params, user) -> ExportQuery:
    """What the import list shows under the filters and sort of ``params``."""
    form = ImportFilterForm(params)
    if not form.is_valid():
        raise ValidationError(
            [f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        )
    filters = ImportFilterForm.selector_filters(form.cleaned_data)
    return ExportQuery(
        queryset=selectors.import_list_queryset(**filters),
        order=selectors.IMPORT_SORTS[filters["sort"]],
        fields=FIELDS,
        columns=COLUMNS,
    )


def import_export_record(user, data: dict) -> None:
    action_log_record(action=EXPORTED, customer=None, actor=user, data=data)


IMPORTS_SOURCE = ExportSource(
    name=IMPORTS,
    title="Imports",
    permission="identity.view_importjob",
    list_url_name="identity:imports",
    query=import_export_query,
    record=import_export_record,
)
