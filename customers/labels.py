"""How the codes we store read for people: statuses, lifecycle actions and reasons, consent
purposes and channels, contact kinds, languages, changed fields.

Every page and the timeline show these labels, never the codes; a code we have no label for
(an old reason, a value another system sent) still reads as words.
"""

from functools import cache

from django.core.exceptions import FieldDoesNotExist

from crm.formatting import money
from customers.models import (
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    CustomerRelationship,
    Interaction,
    Party,
)
from customers.roles import permission_refusal
from customers.services.lifecycle import TRANSITIONS, Transition

Status = Customer.Status

# Lifecycle events that are no transition of their own.
_EVENT_LABELS = {"create": "Created", "import": "Imported", "merge": "Merged"}
# Reasons that no transition offers: written by imports, merges and the partner API.
_OTHER_REASONS = {"import": "Imported", "duplicate": "Duplicate of another customer"}


def humanized(code: str) -> str:
    """'voluntary_churn' -> 'Voluntary churn': the last resort for a code without a label."""
    words = str(code or "").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def status_label(status: str) -> str:
    return Status(status).label if status in Status.values else humanized(status)


def status_phrase(status: str) -> str:
    """The status after "is": 'a lead', 'a prospect', 'active'."""
    if status in (Status.LEAD, Status.PROSPECT):
        return f"a {status_label(status).lower()}"
    return status_label(status).lower()


def lifecycle_action_label(action: str) -> str:
    if action in TRANSITIONS:
        return TRANSITIONS[action].label
    return _EVENT_LABELS.get(action, humanized(action))


def reason_label(reason: str, *, action: str = "", status: str = "") -> str:
    """The label of a lifecycle reason. The same code can read differently in two transitions
    ('customer_request' to suspend or to resume), so the transition is named by its ``action``
    or by the ``status`` it led to."""
    if not reason:
        return ""
    transitions = list(TRANSITIONS.values())
    if action in TRANSITIONS:
        transitions.sort(key=lambda t: t.action != action)
    elif status:
        transitions.sort(key=lambda t: t.target != status)
    for transition in transitions:
        for code, label in transition.reasons:
            if code == reason:
                return label
    return _OTHER_REASONS.get(reason, humanized(reason))


def transition_doing(transition: Transition) -> str:
    """What a transition does, after "may": 'terminate a relationship', 'suspend a customer'."""
    label = transition.label.lower()
    if label.endswith(" relationship"):
        return f"{label.removesuffix(' relationship')} a relationship"
    return f"{label} a customer"


def transition_permission_refusal(transition: Transition) -> str:
    """'Only managers may terminate a relationship. Ask a manager.'"""
    return permission_refusal(permission=transition.permission, doing=transition_doing(transition))


def transition_status_refusal(customer: Customer, transition: Transition) -> str:
    """'Terminate relationship is not possible: Jane Doe is a lead.'"""
    return (
        f"{transition.label} is not possible: {customer.party.display_name} is "
        f"{status_phrase(customer.status)}."
    )


@cache
def _languages() -> dict[str, str]:
    from babel import Locale

    return dict(Locale("en").languages)


def language_label(code: str) -> str:
    """'nl' -> 'Dutch'; a tag Babel does not know is shown as stored."""
    return _languages().get(code.replace("-", "_"), code) if code else ""


def _choice(choices, code) -> str:
    return dict(choices.choices).get(code, humanized(code)) if code else ""


def contact_kind_label(kind: str) -> str:
    return _choice(ContactMedium.Kind, kind)


def consent_label(*, purpose: str, channel: str, source: str = "") -> str:
    """'Marketing by SMS (Call centre)'."""
    text = f"{_choice(Consent.Purpose, purpose)} by {_choice(Consent.Channel, channel)}"
    return f"{text} ({_choice(Consent.Source, source)})" if source else text


# Fields a profile or preferences change names: the model's own verbose names.
def field_label(name: str) -> str:
    for model in (Party, Customer, CommunicationPreferences):
        try:
            return humanized(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return humanized(name)


def value_label(name: str, value) -> str:
    """A stored value of field ``name`` as people read it: choices by label, languages by name."""
    if value is None or value == "":
        return "—"
    choices = {
        "segment": Customer.Segment,
        "payment_method": Customer.PaymentMethod,
        "preferred_channel": Consent.Channel,
        "statement_format": CommunicationPreferences.StatementFormat,
        "statement_frequency": CommunicationPreferences.StatementFrequency,
        "kind": Party.Kind,
    }
    if name in choices:
        return _choice(choices[name], value)
    if name == "language":
        return language_label(str(value))
    # isinstance, not ==: the number 1 equals True, and an id of 1 is not "yes".
    if isinstance(value, bool) or value in ("True", "False"):
        return "yes" if value in ("True", True) else "no"
    if name.startswith("contact_time_") and len(str(value)) == 8:
        return str(value)[:5]  # '18:00:00' -> '18:00'
    return str(value)


# --- What the timeline says about a logged change ---------------------------------------------

# Data keys that hold an amount of money, in the customer's currency.
MONEY_KEYS = {"amount", "monthly_charge", "paid_amount", "total_overdue", "open_amount"}


def contact_change_text(data: dict) -> str:
    """'E-mail jane@example.org', or for a change 'Mobile +44 7911 123456 → +44 7911 654321'."""
    after = data.get("after") or data
    text = f"{contact_kind_label(after.get('kind', ''))} {after.get('value', '')}".strip()
    before = data.get("before") or {}
    if before.get("value") and before.get("value") != after.get("value"):
        text = f"{contact_kind_label(before.get('kind', ''))} {before['value']} → {text}"
    if after.get("is_preferred") and not before.get("is_preferred", True):
        text += " (now preferred)"
    return text


def field_changes_text(data: dict) -> str:
    """'Segment: Residential → Enterprise; Language: English → Dutch' from {field: [old, new]}."""
    parts = []
    for name in sorted(data):
        change = data[name]
        if isinstance(change, (list, tuple)) and len(change) == 2:
            old, new = change
            before, after = value_label(name, old), value_label(name, new)
            parts.append(f"{field_label(name)}: {before} → {after}")
        else:
            parts.append(field_label(name))
    return "; ".join(parts)


def plain_data_text(data: dict, *, currency: str | None = None) -> str:
    """Any other logged data as 'Name: value' pairs, amounts in the customer's currency; row
    ids mean nothing to a person and are left out."""
    parts = []
    for key, value in data.items():
        if isinstance(value, (dict, list)) or value in (None, "") or key == "id":
            continue
        shown = money(value, currency) if key in MONEY_KEYS else value_label(key, value)
        parts.append(f"{humanized(key)}: {shown}")
    return ", ".join(parts)


# Products held. Entries name the product by its code; the timeline passes the catalogue name.


def _months(value) -> int | None:
    """A contract term as logged: a number or its text; none (month-to-month) as 0, "" or
    "None". Anything else is no number (None)."""
    if value in (None, "", "None"):
        return 0
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def contract_label(months) -> str:
    """'12-month contract' or 'month-to-month'."""
    number = _months(months)
    if number is None:
        return str(months)
    return f"{number}-month contract" if number else "month-to-month"


def _term(months) -> str:
    number = _months(months)
    if number is None:
        return str(months)
    return f"{number} months" if number else "month-to-month"


def product_added_text(
    data: dict, *, product: str, currency: str | None, logged_on: str = ""
) -> str:
    """'Fibre 500, €35.00 a month, 12-month contract', and the start when it is not the day
    the product was added."""
    parts = [
        product,
        f"{money(data.get('monthly_charge'), currency)} a month",
        contract_label(data.get("contract_term_months")),
    ]
    if data.get("start_date") and data["start_date"] != logged_on:
        parts.append(f"from {data['start_date']}")
    return ", ".join(p for p in parts if p)


_CHANGE_ORDER = {"monthly_charge": 0, "contract_term_months": 1, "service_id": 2}


def product_changed_text(data: dict, *, product: str, currency: str | None) -> str:
    """'Fibre 500, monthly charge €35.00 → €30.00, contract 12 months → 24 months'. The
    stored data keeps no order (PostgreSQL's jsonb sorts its keys): the charge comes first."""
    changes = []
    for field in sorted(data, key=lambda name: (_CHANGE_ORDER.get(name, len(_CHANGE_ORDER)), name)):
        change = data[field]
        if not isinstance(change, dict):
            continue
        old, new = change.get("from"), change.get("to")
        if field == "monthly_charge":
            changes.append(f"monthly charge {money(old, currency)} → {money(new, currency)}")
        elif field == "contract_term_months":
            changes.append(f"contract {_term(old)} → {_term(new)}")
        elif field == "service_id":
            changes.append(f"service id {old or '—'} → {new or '—'}")
        else:
            changes.append(f"{humanized(field).lower()} {old or '—'} → {new or '—'}")
    return ", ".join([product, *changes])


def product_ended_text(data: dict, *, product: str) -> str:
    """'Fibre 500 on 2026-12-06 (inside its minimum term)'."""
    text = f"{product} on {data.get('end_date', '')}".strip()
    return f"{text} (inside its minimum term)" if data.get("early") else text


# Billing, relationships, merges and imports.


def invoice_recorded_text(data: dict, *, currency: str | None) -> str:
    """'INV-2026-0001 for €42.00, due 2026-12-17'."""
    text = f"{data.get('number', '')} for {money(data.get('amount'), currency)}"
    return f"{text}, due {data['due_on']}" if data.get("due_on") else text


def payment_recorded_text(data: dict, *, currency: str | None) -> str:
    """'€42.00 for invoice INV-2026-0001, reference PAY-77'."""
    text = money(data.get("amount"), currency)
    if data.get("invoice"):
        text += f" for invoice {data['invoice']}"
    if data.get("reference"):
        text += f", reference {data['reference']}"
    return text


def relationship_text(data: dict) -> str:
    """'Same household as C00000123'."""
    return f"{_choice(CustomerRelationship.Kind, data.get('kind', ''))} {data.get('to', '')}"


def merged_in_text(data: dict) -> str:
    """What the surviving customer took over from a duplicate merged into it."""
    parts = [f"{data.get('merged', 'A duplicate')} merged into this customer"]
    taken = data.get("fields_taken_from_merged") or []
    if taken:
        parts.append("taken from it: " + ", ".join(field_label(name) for name in taken))
    moved = data.get("moved") or {}
    if moved:
        parts.append(
            "moved: "
            + ", ".join(f"{humanized(name).lower()} ({count})" for name, count in moved.items())
        )
    return "; ".join(parts)


def not_duplicate_text(data: dict) -> str:
    """'C00000123 and C00000456 are different customers'."""
    pair = data.get("pair") or []
    return f"{' and '.join(str(number) for number in pair)} are different customers"


def imported_text(data: dict, *, file_name: str = "") -> str:
    """'Row 12 of customers.csv, external reference CRM-991'."""
    text = f"Row {data.get('row')} of {file_name or 'an import file'}"
    return (
        f"{text}, external reference {data['external_ref']}" if data.get("external_ref") else text
    )


def partner_changed_text(data: dict) -> str:
    """'Alpine Connect → Northwind Mobile'; older entries name only the new partner."""
    before, after = data.get("previous"), data.get("partner")
    if before and after:
        return f"{before} → {after}"
    if after:
        return f"Now served by {after}"
    return f"No longer served by {before}" if before else "No partner any more"


def survey_bounced_text(data: dict) -> str:
    """'The invitation to Support NPS by E-mail could not be delivered'."""
    channel = _choice(Interaction.Channel, data.get("channel", ""))
    survey = f" to {data['survey']}" if data.get("survey") else ""
    by = f" by {channel}" if channel else ""
    return f"The invitation{survey}{by} could not be delivered"
