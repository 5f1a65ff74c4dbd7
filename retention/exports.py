"""The campaign list as an export source (``crm.exports``): the filters and order the page
shows."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.exports.sources import ExportColumn, ExportQuery, ExportSource
from customers.services.audit import action_log_record

from . import selectors
from .forms import CampaignFilterForm
from .models import Campaign

CAMPAIGNS = "campaigns"
EXPORTED = "retention.campaigns_exported"
_ACTIONS = dict(Campaign.Action.choices)
_STATUSES = dict(Campaign.Status.choices)

FIELDS = (
    "id",
    "name",
    "action",
    "offer",
    "status",
    "control_share",
    "window_months",
    "treated_count",
    "control_count",
    "created_at",
    "created_by__username",
    "closed_at",
)
COLUMNS = (
    ExportColumn("Campaign", lambda row: row["name"]),
    ExportColumn("Action", lambda row: _ACTIONS.get(row["action"], row["action"])),
    ExportColumn("Offer", lambda row: row["offer"]),
    ExportColumn("Status", lambda row: _STATUSES.get(row["status"], row["status"])),
    ExportColumn("Control share (%)", lambda row: row["control_share"]),
    ExportColumn("Window (months)", lambda row: row["window_months"]),
    ExportColumn("Treated", lambda row: row["treated_count"]),
    ExportColumn("Control", lambda row: row["control_count"]),
    ExportColumn("Started", lambda row: timezone.localtime(row["created_at"]).date()),
    ExportColumn("Started by", lambda row: row["created_by__username"]),
    ExportColumn(
        "Closed",
        lambda row: timezone.localtime(row["closed_at"]).date() if row["closed_at"] else None,
    ),
)


def campaign_export_query(params, user) -> ExportQuery:
    form = CampaignFilterForm(params)
    if not form.is_valid():
        raise ValidationError(
            [f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        )
    filters = CampaignFilterForm.selector_filters(form.cleaned_data)
    return ExportQuery(
        queryset=selectors.campaign_list_queryset(**filters),
        order=selectors.CAMPAIGN_SORTS[filters["sort"]],
        fields=FIELDS,
        columns=COLUMNS,
    )


def campaign_export_record(user, data: dict) -> None:
    action_log_record(action=EXPORTED, customer=None, actor=user, data=data)


CAMPAIGNS_SOURCE = ExportSource(
    name=CAMPAIGNS,
    title="Retention campaigns",
    permission="retention.view_campaign",
    list_url_name="retention:list",
    query=campaign_export_query,
    record=campaign_export_record,
)
