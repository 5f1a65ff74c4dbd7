"""What a subject-access export holds: one section per kind of data, each read with one query
(streamed in id order) and written under stable field names. The customer core's own tables
are here; those of the apps around it are in subject_access_apps.py.

A section names every field of its model: exported (``columns``), exported as what it points
to (``joined``: a user's name, a product's code) or left out (``left_out``, with the reason in
a comment). tests/privacy/test_subject_access.py holds each model to it, so a field added to a
model later is not silently missing from what a person is told.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import F, Q

from customers.history.models import (
    CONSENT_FIELDS,
    CONTACT_MEDIUM_FIELDS,
    PARTY_FIELDS,
    PREFERENCES_FIELDS,
)
from customers.models import Customer
from customers.models.usage import MEASURE_FIELDS as USAGE_MEASURES

# Rows fetched from the database at a time while a section streams.
CHUNK_ROWS = 2_000


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    model: str
    about: Callable[[Customer], Q]
    columns: tuple[str, ...]
    joined: dict[str, str] = field(default_factory=dict)
    left_out: tuple[str, ...] = ()
    # One record (the customer, their preferences) rather than a list.
    single: bool = False
    # Reshapes each row once read; a section that has one reads what it needs first.
    shape: Callable[[dict, dict], dict] | None = None
    prepare: Callable[[], dict] | None = None
    # Columns written under another name than the model's.
    renamed: dict[str, str] = field(default_factory=dict)

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def rows(self, customer: Customer) -> Iterator[dict]:
        """The section's records about ``customer``: one query, in id order."""
        context = self.prepare() if self.prepare else {}
        queryset = (
            self.model_class.objects.filter(self.about(customer))
            .order_by("pk")
            .values(
                *self.columns, **{f"joined_{name}": F(path) for name, path in self.joined.items()}
            )
        )
        for row in queryset.iterator(chunk_size=CHUNK_ROWS):
            record = {self.renamed.get(name, name): row[name] for name in self.columns}
            record |= {name: row[f"joined_{name}"] for name in self.joined}
            yield self.shape(record, context) if self.shape else record


def own(customer: Customer) -> Q:
    return Q(customer_id=customer.pk)


def owned(*, left_out: tuple[str, ...] = (), **section) -> Section:
    """A section of the rows that are the customer's by their ``customer`` key: that key is
    left out, as every row of the section holds the same."""
    return Section(about=own, left_out=("customer", *left_out), **section)


def tracked(fields, *, leaving: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A table's personal fields as its field history tracks them (customers.history), less the
    row's id, the customer or party it belongs to, and ``leaving`` (exported another way)."""
    return tuple(name for name in fields if name not in {"id", "customer", "party", *leaving})


# -- Shapes: records whose raw form would not say what they mean -------------------------------

CONSENT_ACTIONS = ("consent.granted", "consent.withdrawn")


def _consent_change(row: dict, context: dict) -> dict:
    data = row["data"] or {}
    return {
        "id": row["id"],
        "recorded_at": row["created_at"],
        "channel": data.get("channel"),
        "purpose": data.get("purpose"),
        "granted": row["action"] == "consent.granted",
        "previous": data.get("previous"),
        "source": data.get("source"),
        "recorded_by": row["actor_label"],
    }


CUSTOMER_SECTIONS: tuple[Section, ...] = (
    Section(
        key="customer",
        title="Customer",
        model="customers.Customer",
        about=lambda c: Q(pk=c.pk),
        single=True,
        columns=(
            "number",
            "name",
            "description",
            "status",
            "status_reason",
            "status_changed_at",
            "segment",
            "payment_method",
            "lead_source",
            "currency",
            "external_ref",
            "partner_reference",
            "valid_from",
            "valid_to",
            "last_activity_at",
            "stale_since",
            "created_at",
            "updated_at",
        ),
        joined={
            "partner": "partner__name",
            "account_manager": "account_manager__username",
            "merged_into": "merged_into__number",
        },
        # The party is a section of its own; the id is ours.
        left_out=("id", "party"),
    ),
    Section(
        key="party",
        title="Person or organisation",
        model="customers.Party",
        about=lambda c: Q(pk=c.party_id),
        single=True,
        columns=(*tracked(PARTY_FIELDS), "display_name", "created_at", "updated_at"),
        joined={"partner": "partner__name"},
        # Search keys derived from the names above, lower-cased and without accents.
        left_out=("id", "name_key", "family_name_key", "sort_key", "national_id_digest"),
    ),
    owned(
        key="former_numbers",
        title="Former customer numbers (merged records)",
        model="customers.CustomerAlias",
        columns=("number", "created_at"),
        left_out=("id",),
    ),
    Section(
        key="contact_media",
        title="Contact details",
        model="customers.ContactMedium",
        about=lambda c: Q(party_id=c.party_id),
        columns=("id", *tracked(CONTACT_MEDIUM_FIELDS), "created_at"),
        left_out=("party",),
    ),
    owned(
        key="consents",
        title="Consents (current answers)",
        model="customers.Consent",
        columns=("id", *tracked(CONSENT_FIELDS), "recorded_at"),
        joined={"recorded_by": "recorded_by__username"},
    ),
    Section(
        key="consent_history",
        title="Consent history (every answer given)",
        model="customers.ActionLog",
        about=lambda c: Q(customer_id=c.pk, action__in=CONSENT_ACTIONS),
        columns=("id", "action", "created_at", "actor_label", "data"),
        shape=_consent_change,
    ),
    owned(
        key="communication_preferences",
        title="Communication preferences",
        model="customers.CommunicationPreferences",
        single=True,
        columns=(*tracked(PREFERENCES_FIELDS), "updated_at"),
        left_out=("id",),
    ),
    owned(
        key="lifecycle_events",
        title="Status history",
        model="customers.LifecycleEvent",
        columns=("id", "action", "from_status", "to_status", "reason", "note", "occurred_at"),
        joined={"actor": "actor__username"},
    ),
    Section(
        key="relationships",
        title="Relationships with other customers",
        model="customers.CustomerRelationship",
        about=lambda c: Q(from_customer_id=c.pk) | Q(to_customer_id=c.pk),
        columns=("id", "kind", "created_at"),
        # The other customer by number only: their name is their own data.
        joined={"from_customer": "from_customer__number", "to_customer": "to_customer__number"},
    ),
    owned(
        key="interactions",
        title="Interactions",
        model="customers.Interaction",
        columns=(
            "id",
            "channel",
            "direction",
            "kind",
            "occurred_at",
            "summary",
            "outcome",
            "closed_at",
            "created_at",
        ),
        joined={
            "staff": "staff__username",
            "owner": "owner__username",
            "closed_by": "closed_by__username",
        },
    ),
    owned(
        key="subscriptions",
        title="Products held",
        model="customers.Subscription",
        columns=(
            "id",
            "service_id",
            "monthly_charge",
            "contract_term_months",
            "start_date",
            "end_date",
            "status",
            "external_ref",
            "created_at",
        ),
        joined={"product": "product__name", "product_code": "product__code"},
    ),
    owned(
        key="invoices",
        title="Invoices",
        model="customers.Invoice",
        columns=(
            "id",
            "number",
            "period_start",
            "issued_on",
            "due_on",
            "amount",
            "paid_amount",
            "paid_on",
            "missed_at",
        ),
    ),
    owned(
        key="payments",
        title="Payments",
        model="customers.Payment",
        columns=("id", "amount", "received_on", "method", "reference"),
        joined={"invoice": "invoice__number"},
    ),
    owned(
        key="usage",
        title="Monthly usage",
        model="customers.UsageSummary",
        columns=("id", "month", *USAGE_MEASURES, "external_ref", "recorded_at"),
        joined={"product": "product__name", "product_code": "product__code"},
    ),
    owned(
        key="latest_scores",
        title="Value and risk scores (latest)",
        model="customers.LatestScores",
        single=True,
        columns=(
            "churn_risk",
            "credit_score",
            "credit_rating",
            "fraud_risk",
            "influence",
            "lifetime_value",
            "value_segment",
            "value_at_risk",
            "scored_at",
        ),
    ),
    owned(
        key="audit_log",
        title="Audit trail (every recorded change)",
        model="customers.ActionLog",
        columns=("id", "action", "actor_label", "data", "created_at"),
        joined={"partner": "partner__name"},
        # actor_label names the actor.
        left_out=("actor",),
    ),
)
