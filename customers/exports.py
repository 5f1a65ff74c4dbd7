"""The customer list as an export source (``crm.exports``): the same filters, order and
columns the list page shows, each column only to whoever may see it there."""

from django.core.exceptions import ValidationError

from crm.exports.sources import ExportColumn, ExportQuery
from customers import selectors
from customers.forms import CustomerFilterForm
from customers.models import ContactMedium, Customer, LatestScores
from customers.services.audit import action_log_record

EXPORTED = "customers.exported"
_STATUSES = dict(Customer.Status.choices)
_SEGMENTS = dict(Customer.Segment.choices)
_VALUE_SEGMENTS = dict(LatestScores.ValueSegment.choices)
_PREFERRED_KINDS = (ContactMedium.Kind.EMAIL, ContactMedium.Kind.MOBILE, ContactMedium.Kind.PHONE)


def _since(row: dict):
    return selectors.since_of(
        status=row["status"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
        created_at=row["created_at"],
    )


def customer_export_columns(user) -> tuple[list[str], list[ExportColumn]]:
    """The fields to read and the columns to write, as far as ``user`` may see them."""
    fields = ["number", "status", "segment", "party_id", "party__display_name"]
    fields += ["partner__name", "account_manager__username"]
    fields += ["valid_from", "valid_to", "created_at"]
    columns = [
        ExportColumn("Number", lambda row: row["number"]),
        ExportColumn("Name", lambda row: row["party__display_name"]),
        ExportColumn("Status", lambda row: _STATUSES.get(row["status"], row["status"])),
        ExportColumn("Segment", lambda row: _SEGMENTS.get(row["segment"], row["segment"])),
    ]
    if user.has_perm("customers.view_contactmedium"):
        columns += [
            ExportColumn("E-mail", lambda row: row["email"]),
            ExportColumn("Phone", lambda row: row["phone"]),
        ]
    columns += [
        ExportColumn("Partner", lambda row: row["partner__name"]),
        ExportColumn("Account manager", lambda row: row["account_manager__username"]),
        ExportColumn("Since", lambda row: _since(row).label),
        ExportColumn("Since date", lambda row: _since(row).at),
        ExportColumn("Until", lambda row: _since(row).until),
    ]
    if user.has_perm("customers.view_latestscores"):
        fields += [
            "latest_scores__churn_risk",
            "latest_scores__lifetime_value",
            "latest_scores__value_segment",
            "latest_scores__credit_rating",
        ]
        columns += [
            ExportColumn("Churn risk", lambda row: row["latest_scores__churn_risk"]),
            ExportColumn("Lifetime value", lambda row: row["latest_scores__lifetime_value"]),
            ExportColumn(
                "Value segment",
                lambda row: _VALUE_SEGMENTS.get(row["latest_scores__value_segment"]),
            ),
            ExportColumn("Credit rating", lambda row: row["latest_scores__credit_rating"]),
        ]
    return fields, columns


def _preferred_contacts(rows: list[dict]) -> None:
    """Each row's preferred e-mail and phone (a mobile before a landline), for a whole page
    in one query."""
    found: dict[int, dict[str, str]] = {}
    contacts = ContactMedium.objects.filter(
        party_id__in={row["party_id"] for row in rows},
        kind__in=_PREFERRED_KINDS,
        is_preferred=True,
    ).values_list("party_id", "kind", "value")
    for party_id, kind, value in contacts:
        found.setdefault(party_id, {})[kind] = value
    for row in rows:
        by_kind = found.get(row["party_id"], {})
        row["email"] = by_kind.get(ContactMedium.Kind.EMAIL, "")
        row["phone"] = by_kind.get(ContactMedium.Kind.MOBILE) or by_kind.get(
            ContactMedium.Kind.PHONE, ""
        )


def customer_export_query(params, user) -> ExportQuery:
    """What the customer list shows ``user`` under the filters and sort of ``params``."""
    form = CustomerFilterForm.for_user(params, user=user)
    if not form.is_valid():
        raise ValidationError(
            [f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
        )
    filters = CustomerFilterForm.selector_filters(form.cleaned_data)
    fields, columns = customer_export_columns(user)
    return ExportQuery(
        queryset=selectors.customer_list_queryset(**filters),
        order=selectors.SORTS[filters["sort"]],
        fields=fields,
        columns=columns,
        complete=_preferred_contacts,
    )


def customer_export_record(user, data: dict) -> None:
    action_log_record(action=EXPORTED, customer=None, actor=user, data=data)
