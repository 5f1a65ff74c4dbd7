"""The task list as an export source (``crm.exports``): the same filters, sort and columns the
page shows."""

from django.core.exceptions import ValidationError

from crm.exports.sources import ExportColumn, ExportQuery, ExportSource
from customers.services.audit import action_log_record

from . import selectors
from .forms import TaskFilterForm
from .models import Task

TASKS = "tasks"
EXPORTED = "work.tasks_exported"
SEE_ALL = "work.oversee_task"
_KINDS = dict(Task.Kind.choices)
_PRIORITIES = dict(Task.Priority.choices)

FIELDS = (
    "due_on",
    "priority",
    "id",
    "kind",
    "title",
    "customer__number",
    "customer__party__display_name",
    "owner__username",
    "created_at",
)
COLUMNS = (
    ExportColumn("Due", lambda row: row["due_on"]),
    ExportColumn("Kind", lambda row: _KINDS.get(row["kind"], row["kind"])),
    ExportColumn("Task", lambda row: row["title"]),
    ExportColumn("Priority", lambda row: _PRIORITIES.get(row["priority"], row["priority"])),
    ExportColumn("Customer number", lambda row: row["customer__number"]),
    ExportColumn("Customer", lambda row: row["customer__party__display_name"]),
    ExportColumn("Owner", lambda row: row["owner__username"] or ""),
    ExportColumn("Created", lambda row: row["created_at"]),
)


def task_export_query(params, user) -> ExportQuery:
    """What the task list shows ``user`` under the filters and sort of ``params``."""
    form = TaskFilterForm(params, may_see_all=user.has_perm(SEE_ALL))
    if not form.is_valid():
        raise ValidationError(
            [f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        )
    filters = TaskFilterForm.selector_filters(form.cleaned_data)
    sort = filters.pop("sort")
    return ExportQuery(
        queryset=selectors.open_tasks_queryset(user=user, **filters),
        order=selectors.TASK_SORTS[sort],
        fields=FIELDS,
        columns=COLUMNS,
    )


def task_export_record(user, data: dict) -> None:
    action_log_record(action=EXPORTED, customer=None, actor=user, data=data)


TASK_SOURCE = ExportSource(
    name=TASKS,
    title="Open tasks",
    permission="work.view_task",
    list_url_name="work:tasks",
    query=task_export_query,
    record=task_export_record,
)
