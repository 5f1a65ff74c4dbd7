"""Reads of the field history: one customer's changes, newest first, field by field.

Each event row is a snapshot of the tracked fields after the change (before it, for a delete);
its "before" is the previous snapshot of the same row, taken in the same query (``LAG``), so a
page of changes costs one query plus one for the names of the users and partners it mentions,
whatever its length.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.dateparse import parse_datetime

from crm.keyset import BROKEN, KeysetPage, cursor_decode, cursor_encode
from crm.sealed import EncryptedFieldMixin, decrypt
from customers.models import Customer, Partner

from .models import EVENT_MODELS

PANEL_SIZE = 8
PAGE_SIZE = 50
PERSONAL = {
    "party": {"given_name", "family_name", "title", "birth_date", "national_id"},
    "contact": {"value", "street", "city", "postcode", "label"},
}
NOT_SHOWN = {"id", "party", "customer"}  # the row's owner: shown as the row, not as a change
NOT_RECORDED = "(not recorded)"


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str
    personal: bool = False


@dataclass
class HistoryEntry:
    kind: str
    event_id: int
    at: datetime
    action: str
    what: str
    who: str
    changes: list[FieldChange] = field(default_factory=list)


def history_recorded() -> bool:
    """Whether this database records field history: the triggers exist on PostgreSQL only."""
    return connection.vendor == "postgresql"


def _branch(kind: str) -> str:
    model, _ = EVENT_MODELS[kind]
    table = connection.ops.quote_name(model._meta.db_table)
    owner = {
        "customer": "e.id = %(customer)s",
        "party": "e.id = %(party)s",
        # A row moved here by a merge brings the changes it had before.
        "contact": f"e.id IN (SELECT id FROM {table} WHERE party_id = %(party)s)",
        "consent": f"e.id IN (SELECT id FROM {table} WHERE customer_id = %(customer)s)",
        "preferences": f"e.id IN (SELECT id FROM {table} WHERE customer_id = %(customer)s)",
    }[kind]
    return (
        f"SELECT '{kind}' AS kind, e.pgh_id, e.pgh_created_at, e.pgh_label, e.pgh_context_id, "
        "to_jsonb(e) AS after_row, "
        "LAG(to_jsonb(e)) OVER (PARTITION BY e.id ORDER BY e.pgh_id) AS before_row "
        f"FROM {table} e WHERE {owner}"
    )


def _rows(customer: Customer, *, after: str, before: str, limit: int) -> tuple[list, bool]:
    backwards = bool(before) and not after
    params = {"customer": customer.pk, "party": customer.party_id, "limit": limit + 1}
    beyond = ""
    if after or before:
        at, kind, event_id = cursor_decode(after or before, width=3)
        try:
            readable = isinstance(at, str) and parse_datetime(at) is not None
        except ValueError:
            readable = False
        if not (readable and kind in EVENT_MODELS and isinstance(event_id, int)):
            raise ValidationError(BROKEN)
        params.update(at=at, kind=str(kind), event_id=event_id)
        beyond = (
            f"WHERE (ev.pgh_created_at, ev.kind, ev.pgh_id) {'>' if backwards else '<'} "
            "(%(at)s::timestamptz, %(kind)s, %(event_id)s)"
        )
    direction = "ASC" if backwards else "DESC"
    union = " UNION ALL ".join(_branch(kind) for kind in EVENT_MODELS)
    sql = (
        "SELECT ev.kind, ev.pgh_id, ev.pgh_created_at, ev.pgh_label, ev.after_row, "
        f"ev.before_row, c.metadata FROM ({union}) ev "
        "LEFT JOIN pghistory_context c ON c.id = ev.pgh_context_id "
        f"{beyond} ORDER BY ev.pgh_created_at {direction}, ev.kind {direction}, "
        f"ev.pgh_id {direction} LIMIT %(limit)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # Django has psycopg hand JSON over as text (its JSONField decodes it).
        rows = [
            (*row[:4], *(json.loads(v) if isinstance(v, str) else v for v in row[4:]))
            for row in cursor.fetchall()
        ]
    for kind, _, _, _, after_row, before_row, _ in rows:
        _opened(kind, after_row)
        _opened(kind, before_row)
    has_more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    return rows, has_more


def _opened(kind: str, snapshot: dict | None) -> None:
    """The encrypted columns of a snapshot in clear (crm.sealed), so that two snapshots are
    compared and shown by what they hold, not by their ciphertext."""
    if not snapshot:
        return
    model, _ = EVENT_MODELS[kind]
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, EncryptedFieldMixin) and snapshot.get(model_field.column):
            snapshot[model_field.column] = decrypt(snapshot[model_field.column])


def _masked(value: str) -> str:
    return "•" * max(len(value) - 3, 0) + value[-3:]


def _shown(model, name: str, value, names: dict) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    if model_field.is_relation:
        return names.get((name, value), f"#{value}")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if model_field.flatchoices:
        return str(dict(model_field.flatchoices).get(value, value))
    if name == "national_id":
        return _masked(str(value))
    return str(value)


def _what(kind: str, row: dict) -> str:
    if kind == "customer":
        return "Customer"
    if kind == "party":
        return "Organisation" if row.get("kind") == "organization" else "Person"
    model, _ = EVENT_MODELS[kind]
    if kind == "contact":
        return f"Contact medium ({_shown(model, 'kind', row.get('kind'), {})})"
    if kind == "consent":
        purpose = _shown(model, "purpose", row.get("purpose"), {})
        channel = _shown(model, "channel", row.get("channel"), {})
        return f"Consent: {purpose} by {channel}"
    return "Communication preferences"


def _names(rows) -> dict:
    """The users and partners the rows mention, each looked up once for the whole page."""
    wanted = {"account_manager": set(), "partner": set()}
    for _, _, _, _, after_row, before_row, _ in rows:
        for snapshot in (after_row, before_row):
            for name, ids in wanted.items():
                if snapshot and snapshot.get(f"{name}_id") is not None:
                    ids.add(snapshot[f"{name}_id"])
    names = {}
    if wanted["account_manager"]:
        User = get_user_model()
        for pk, username in User.objects.filter(pk__in=wanted["account_manager"]).values_list(
            "pk", User.USERNAME_FIELD
        ):
            names[("account_manager", pk)] = username
    if wanted["partner"]:
        for pk, name in Partner.objects.filter(pk__in=wanted["partner"]).values_list("pk", "name"):
            names[("partner", pk)] = name
    return names


def _changes(kind: str, action: str, after_row: dict, before_row: dict | None, names: dict):
    model, fields = EVENT_MODELS[kind]
    personal = PERSONAL.get(kind, set())
    changes = []
    for name in fields:
        model_field = model._meta.get_field(name)
        value = after_row.get(model_field.column)
        if action == "update":
            if name in NOT_SHOWN and before_row is None:
                continue
            old = before_row.get(model_field.column) if before_row else None
            if before_row is not None and old == value:
                continue
            before = _shown(model, name, old, names) if before_row else NOT_RECORDED
            after = _shown(model, name, value, names)
        elif name in NOT_SHOWN or value in (None, "", False):
            continue
        elif action == "delete":
            before, after = _shown(model, name, value, names), "—"
        else:
            before, after = "—", _shown(model, name, value, names)
        changes.append(
            FieldChange(
                field=str(model_field.verbose_name),
                before=before,
                after=after,
                personal=name in personal,
            )
        )
    return changes


def _entries(rows) -> list[HistoryEntry]:
    names = _names(rows)
    entries = []
    for kind, event_id, at, action, after_row, before_row, metadata in rows:
        entries.append(
            HistoryEntry(
                kind=kind,
                event_id=event_id,
                at=at,
                action=action,
                what=_what(kind, after_row),
                who=(metadata or {}).get("actor") or "not named (written outside the services)",
                changes=_changes(kind, action, after_row, before_row, names),
            )
        )
    return entries


def _cursor(entry: HistoryEntry) -> str:
    return cursor_encode([entry.at.isoformat(), entry.kind, entry.event_id])


def customer_history(
    *, customer: Customer, after: str = "", before: str = "", page_size: int = PAGE_SIZE
) -> KeysetPage:
    """One page of the customer's changes, newest first (keyset-paged like every list).
    Raises ValidationError for a broken cursor; an empty page where nothing is recorded."""
    if not history_recorded():
        return KeysetPage(rows=[], next_cursor=None, previous_cursor=None)
    rows, has_more = _rows(customer, after=after, before=before, limit=page_size)
    entries = _entries(rows)
    backwards = bool(before) and not after
    more_after = has_more if not backwards else True
    more_before = bool(after) or (backwards and has_more)
    return KeysetPage(
        rows=entries,
        next_cursor=_cursor(entries[-1]) if entries and more_after else None,
        previous_cursor=_cursor(entries[0]) if entries and more_before else None,
    )


def history_for_panel(customer: Customer) -> dict:
    """The customer page's "History" panel: the latest changes and whether any are kept."""
    if not history_recorded():
        return {"recorded": False, "entries": [], "more": False}
    page = customer_history(customer=customer, page_size=PANEL_SIZE)
    return {"recorded": True, "entries": page.rows, "more": page.next_cursor is not None}
