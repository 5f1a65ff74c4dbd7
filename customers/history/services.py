"""Writes of the field history: naming who made the changes, and erasing a customer's rows."""

import json
import uuid

from django.db import connection

from customers.models import ActionLog

from .models import (
    EVENT_MODELS,
)

_TABLES = [model._meta.db_table for model, _ in EVENT_MODELS.values()]


def _actor_metadata(entries: list[ActionLog]) -> dict:
    labels = list(dict.fromkeys(entry.actor_label for entry in entries))
    first = entries[0]
    return {
        "actor": ", ".join(labels),
        "user": first.actor_id if len(labels) == 1 else None,
        "partner": first.partner.name if first.partner_id and len(labels) == 1 else None,
        "action": first.action,
    }


def changes_attribute(sender, *, entries: list[ActionLog], **kwargs) -> None:
    """Name the actor of the rows the triggers wrote in this transaction and no one has named
    yet: the changes a service (or an import's batch) made before logging them.

    One statement, whatever the batch: the event rows of this transaction carry its id
    (``pgh_txid``) and are found through a partial index of the rows still unnamed. A change
    outside any service (a hand-made UPDATE) keeps no actor.
    """
    if connection.vendor != "postgresql" or not entries:
        return
    updates = ",\n".join(
        f"u{n} AS (UPDATE {connection.ops.quote_name(table)} SET pgh_context_id = %(id)s "
        f"WHERE pgh_context_id IS NULL AND pgh_txid = txid_current() RETURNING 1)"
        for n, table in enumerate(_TABLES)
    )
    any_named = " OR ".join(f"EXISTS (SELECT 1 FROM u{n})" for n in range(len(_TABLES)))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH {updates} "
            "INSERT INTO pghistory_context (id, metadata, created_at, updated_at) "
            f"SELECT %(id)s, %(metadata)s::jsonb, now(), now() WHERE {any_named}",
            {"id": uuid.uuid4(), "metadata": json.dumps(_actor_metadata(entries))},
        )
