"""The event tables: one snapshot of the tracked fields per insert, change or delete of a row.

Which fields are tracked is the customer's own data; bookkeeping columns (last activity, stale
flags, keys derived for matching, scores) change often and are nobody's personal history, so a
write that touches only them records nothing (the update trigger fires on a change of a tracked
field only).
"""

import pghistory
from django.db import models

from customers.models import CommunicationPreferences, Consent, ContactMedium, Customer, Party

CUSTOMER_FIELDS = [
    "id",
    "name",
    "description",
    "status",
    "status_reason",
    "segment",
    "payment_method",
    "account_manager",
    "partner",
    "lead_source",
    "currency",
    "external_ref",
    "partner_reference",
]
PARTY_FIELDS = [
    "id",
    "kind",
    "title",
    "given_name",
    "family_name",
    "birth_date",
    "national_id",
    "legal_name",
    "trading_name",
    "registration_number",
]
CONTACT_MEDIUM_FIELDS = [
    "id",
    "party",
    "kind",
    "value",
    "label",
    "street",
    "city",
    "postcode",
    "country",
    "is_preferred",
    "is_verified",
    "valid_from",
    "valid_to",
]
CONSENT_FIELDS = ["id", "customer", "channel", "purpose", "granted", "source"]
PREFERENCES_FIELDS = [
    "id",
    "customer",
    "language",
    "preferred_channel",
    "contact_time_from",
    "contact_time_to",
    "contact_on_weekends",
    "statement_format",
    "statement_frequency",
    "itemised_statement",
]


class TransactionId(models.Func):
    """The writing transaction: ``txid_current()`` names the top-level one, the same inside
    savepoints. SQLite has no such thing (and no triggers to write events): NULL."""

    function = "txid_current"
    output_field = models.BigIntegerField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return "NULL", []


# The triggers insert the tracked fields and pghistory's own; the database fills this one.
_ATTRS = {"pgh_txid": models.BigIntegerField(null=True, db_default=TransactionId())}


def _attrs(**owners: str) -> dict:
    """A snapshot keeps the id of the customer or party a row belonged to as a plain number,
    not a relation: history is a record of what was, so a merge that moves every live row to
    the survivor leaves it alone (the survivor's page follows moved rows by their own id)."""
    return {
        **_ATTRS,
        **{
            name: models.BigIntegerField(db_column=column, db_index=True)
            for name, column in owners.items()
        },
    }


def _meta(name: str, **extra) -> dict:
    """Events not yet attributed to an actor are found by their transaction
    (``customers.history.services.changes_attribute``); the partial index holds only those."""
    return {
        "indexes": [
            models.Index(fields=["id"], name=f"{name}_row"),
            models.Index(
                fields=["pgh_txid"],
                name=f"{name}_unattributed",
                condition=models.Q(pgh_context__isnull=True),
            ),
        ],
        **extra,
    }


CustomerChange = pghistory.create_event_model(
    Customer,
    pghistory.InsertEvent(level=pghistory.Statement),
    pghistory.UpdateEvent(level=pghistory.Statement),
    fields=CUSTOMER_FIELDS,
    model_name="CustomerChange",
    app_label="history",
    abstract=False,
    attrs=_attrs(),
    obj_field=None,
    meta=_meta(
        "hist_customer",
        permissions=[("view_field_history", "Can see the field history of customers")],
    ),
)
PartyChange = pghistory.create_event_model(
    Party,
    pghistory.InsertEvent(level=pghistory.Statement),
    pghistory.UpdateEvent(level=pghistory.Statement),
    fields=PARTY_FIELDS,
    model_name="PartyChange",
    app_label="history",
    abstract=False,
    attrs=_attrs(),
    obj_field=None,
    meta=_meta("hist_party"),
)
ContactMediumChange = pghistory.create_event_model(
    ContactMedium,
    pghistory.InsertEvent(level=pghistory.Statement),
    pghistory.UpdateEvent(level=pghistory.Statement),
    pghistory.DeleteEvent(level=pghistory.Statement),
    fields=CONTACT_MEDIUM_FIELDS,
    model_name="ContactMediumChange",
    app_label="history",
    abstract=False,
    attrs=_attrs(party="party_id"),
    obj_field=None,
    meta=_meta("hist_contact"),
)
ConsentChange = pghistory.create_event_model(
    Consent,
    pghistory.InsertEvent(level=pghistory.Statement),
    pghistory.UpdateEvent(level=pghistory.Statement),
    fields=CONSENT_FIELDS,
    model_name="ConsentChange",
    app_label="history",
    abstract=False,
    attrs=_attrs(customer="customer_id"),
    obj_field=None,
    meta=_meta("hist_consent"),
)
PreferencesChange = pghistory.create_event_model(
    CommunicationPreferences,
    pghistory.InsertEvent(level=pghistory.Statement),
    pghistory.UpdateEvent(level=pghistory.Statement),
    fields=PREFERENCES_FIELDS,
    model_name="PreferencesChange",
    app_label="history",
    abstract=False,
    attrs=_attrs(customer="customer_id"),
    obj_field=None,
    meta=_meta("hist_prefs"),
)

EVENT_MODELS = {
    "customer": (CustomerChange, CUSTOMER_FIELDS),
    "party": (PartyChange, PARTY_FIELDS),
    "contact": (ContactMediumChange, CONTACT_MEDIUM_FIELDS),
    "consent": (ConsentChange, CONSENT_FIELDS),
    "preferences": (PreferencesChange, PREFERENCES_FIELDS),
}
