"""The partner list as an export source (``crm.exports``): the same filters, order and columns
the page shows. Nothing of a partner's API tokens or hub secrets is ever read here."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.exports.sources import ExportColumn, ExportQuery, ExportSource
from customers.models import Partner
from customers.partners import selectors
from customers.partners.forms import PartnerFilterForm
from customers.services.audit import action_log_record

PARTNERS = "partners"
EXPORTED = "partners.exported"
_STATUSES = dict(Partner.Status.choices)


def _local_date(moment):
    """A time as the page shows it: its date in the staff's time zone."""
    return timezone.localtime(moment).date() if moment else None


FIELDS = (
    "name",
    "status",
    "registration_number",
    "contact_name",
    "contact_email",
    "customer_count",
    "created_at",
    "status_changed_at",
)
COLUMNS = (
    ExportColumn("Name", lambda row: row["name"]),
    ExportColumn("Status", lambda row: _STATUSES.get(row["status"], row["status"])),
    ExportColumn("Registration", lambda row: row["registration_number"]),
    ExportColumn("Contact", lambda row: row["contact_name"]),
    ExportColumn("Contact e-mail", lambda row: row["contact_email"]),
    ExportColumn("Customers", lambda row: row["customer_count"]),
    ExportColumn("Applied", lambda row: _local_date(row["created_at"])),
    ExportColumn("Status since", lambda row: _local_date(row["status_changed_at"])),
)


def partner_export_query(params, user) -> ExportQuery:
    """What the partner list shows under the filters and sort of ``params``."""
    form = PartnerFilterForm(params)
    if not form.is_valid():
        raise ValidationError(
            [f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        )
    filters = PartnerFilterForm.selector_filters(form.cleaned_data)
    return ExportQuery(
        queryset=selectors.partner_list_queryset(**filters).annotate(
            customer_count=selectors.partner_customer_count()
        ),
        order=selectors.PARTNER_SORTS[filters["sort"]],
        fields=FIELDS,
        columns=COLUMNS,
    )


def partner_export_record(user, data: dict) -> None:
    action_log_record(action=EXPORTED, customer=None, actor=user, data=data)


PARTNERS_SOURCE = ExportSource(
    name=PARTNERS,
    title="Partners",
    permission="customers.view_partner",
    list_url_name="partners:list",
    query=partner_export_query,
    record=partner_export_record,
)
