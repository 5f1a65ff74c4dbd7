"""The survey answers list as an export source (``crm.exports``): the same filters, sort and
columns the list page shows. Comments are customers' free text; the writers keep a comment that
looks like a formula as text."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from crm.exports.sources import ExportColumn, ExportQuery, ExportSource
from customers.services.audit import action_log_record

from .forms_results import ResponsesFilterForm
from .models import Invitation
from .results import (
    ANSWER_NAMES,
    KIND_NAMES,
    TOUCH_POINTS,
    answer_order,
    response_queryset,
    survey_choices,
)

ANSWERS = "answers"
EXPORTED = "satisfaction.answers_exported"
PERMISSION = "satisfaction.view_response"
_CHANNELS = dict(Invitation.Channel.choices)
_TOUCH_POINTS = dict(TOUCH_POINTS)


def _answered_at(row: dict) -> str:
    # In the time zone and to the minute the page shows, not in UTC.
    return f"{timezone.localtime(row['responded_at']):%Y-%m-%d %H:%M}"


FIELDS = (
    "responded_at",
    "customer__number",
    "customer__party__display_name",
    "survey__name",
    "kind",
    "score",
    "sentiment",
    "comment",
    "channel",
    "touch_point",
)
COLUMNS = (
    ExportColumn("Answered at", _answered_at),
    ExportColumn("Customer number", lambda row: row["customer__number"]),
    ExportColumn("Name", lambda row: row["customer__party__display_name"]),
    ExportColumn("Survey", lambda row: row["survey__name"]),
    ExportColumn("Kind", lambda row: KIND_NAMES.get(row["kind"], row["kind"])),
    ExportColumn("Score", lambda row: row["score"]),
    ExportColumn(
        "Sentiment",
        lambda row: ANSWER_NAMES.get(row["kind"], {}).get(row["sentiment"], row["sentiment"]),
    ),
    ExportColumn("Comment", lambda row: row["comment"]),
    ExportColumn("Channel", lambda row: _CHANNELS.get(row["channel"], row["channel"])),
    ExportColumn(
        "Touch point", lambda row: _TOUCH_POINTS.get(row["touch_point"], row["touch_point"])
    ),
)


def answer_export_query(params, user) -> ExportQuery:
    """What the answers list shows under the filters and sort of ``params``."""
    # A background export reads its rows as its owner: whoever lost the permission since
    # starting it gets nothing more.
    if not user.has_perm(PERMISSION):
        raise PermissionDenied
    form = ResponsesFilterForm(params, surveys=survey_choices(), today=timezone.localdate())
    if not form.is_valid():
        raise ValidationError(
            [
                f"{form[name].label}: {' '.join(errors)}"
                if name in form.fields
                else " ".join(errors)
                for name, errors in form.errors.items()
            ]
        )
    return ExportQuery(
        queryset=response_queryset(filters=form.filters(), month=form.cleaned_data["month"]),
        order=answer_order(form.cleaned_data["sort"]),
        fields=FIELDS,
        columns=COLUMNS,
    )


def answer_export_record(user, data: dict) -> None:
    action_log_record(action=EXPORTED, customer=None, actor=user, data=data)


ANSWERS_SOURCE = ExportSource(
    name=ANSWERS,
    title="Survey answers",
    permission=PERMISSION,
    list_url_name="satisfaction:responses",
    query=answer_export_query,
    record=answer_export_record,
)
