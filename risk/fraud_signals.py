"""The fraud score's identity signals: how many unrelated customers share a customer's e-mail
or phone, and their street address.

Two ways to the same counts. A full scoring run counts them for the whole base once, when the
run is prepared (``shared_keys_count``): one grouped pass over the identity keys, instead of
every chunk probing the key index twice for each of its keys, which cost a third of a chunk on
a million customers. Its chunks then read their rows (``shared_keys_read``). The rescore of one
customer, and a chunk of a run prepared before the counts existed, count their own ids with the
probing query (``shared_keys_probe``).

Rules shared by both: the parties sharing a key, less those linked to the customer (a household
shares a landline and an address by right); keys held by more parties than the identity scan's
cap (a shop's address) say nothing about one customer and are left out.
"""

from datetime import date

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from customers.identity.models import IdentityKey
from customers.identity.services.identity import BLOCK_CAP
from customers.models import Customer, CustomerRelationship

from .features import FeatureTable
from .models import ScoringRun, SharedKeyCount

SHARED_KINDS = ("email", "phone", "address")


def _tables() -> dict[str, str]:
    return {
        "keys": IdentityKey._meta.db_table,
        "customers": Customer._meta.db_table,
        "links": CustomerRelationship._meta.db_table,
        "counts": SharedKeyCount._meta.db_table,
    }


_UNLINKED = """
    NOT EXISTS (
        SELECT 1 FROM {links} r
        WHERE (r.from_customer_id = {me} AND r.to_customer_id = {other})
           OR (r.from_customer_id = {other} AND r.to_customer_id = {me}))
"""
# Parties, not customers, are counted: a party holding two accounts is one person.
_COUNTS = """
    COUNT(DISTINCT CASE WHEN {key}.kind <> 'address' THEN o.party_id END),
    COUNT(DISTINCT CASE WHEN {key}.kind = 'address' THEN o.party_id END)
"""
_KINDS = ", ".join(f"'{kind}'" for kind in SHARED_KINDS)


def shared_keys_count(run: ScoringRun) -> int:
    """Count the shared keys of every customer for ``run`` (once: a second call, from a
    dispatch delivered twice, finds them counted). Rows of earlier runs are removed. Returns
    the customers sharing something."""
    tables = _tables()
    # Counted already: said without waiting on the run's row, which a chunk may hold.
    if ScoringRun.objects.filter(pk=run.pk, shared_keys_counted_at__isnull=False).exists():
        return SharedKeyCount.objects.filter(run=run).count()
    with transaction.atomic():
        locked = ScoringRun.objects.select_for_update().get(pk=run.pk)
        if locked.shared_keys_counted_at:
            return SharedKeyCount.objects.filter(run=run).count()
        SharedKeyCount.objects.all().delete()  # only the newest run's counts are kept
        # One ordered pass over the key index sizes every key and keeps its holders (a window
        # count, not a grouping joined back to the keys: that would read them twice).
        sql = f"""
            WITH held AS (
                SELECT h.kind, h.value, h.party_id, c.id AS customer_id
                FROM (
                    SELECT kind, value, party_id,
                           COUNT(*) OVER (PARTITION BY kind, value) AS holders
                    FROM {tables["keys"]}
                    WHERE kind IN ({_KINDS})
                ) AS h
                JOIN {tables["customers"]} c ON c.party_id = h.party_id
                WHERE h.holders BETWEEN 2 AND %s
            )
            INSERT INTO {tables["counts"]} (run_id, customer_id, shared_contact, shared_address)
            SELECT %s, me.customer_id, {_COUNTS.format(key="me")}
            FROM held me
            JOIN held o ON o.kind = me.kind AND o.value = me.value AND o.party_id <> me.party_id
            WHERE {_UNLINKED.format(me="me.customer_id", other="o.customer_id", **tables)}
            GROUP BY me.customer_id
        """
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute(sql, [BLOCK_CAP, run.pk])
        locked.shared_keys_counted_at = timezone.now()
        locked.save(update_fields=["shared_keys_counted_at"])
    run.shared_keys_counted_at = locked.shared_keys_counted_at
    # Counted afresh: SQLite gives no row count for an INSERT that starts with WITH.
    return SharedKeyCount.objects.filter(run=run).count()


def shared_keys_read(run: ScoringRun, customer_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The counts of ``customer_ids`` (ascending) from the run's base-wide count."""
    shared_contact = np.zeros(len(customer_ids))
    shared_address = np.zeros(len(customer_ids))
    if not customer_ids:
        return shared_contact, shared_address
    rows = np.array(
        SharedKeyCount.objects.filter(
            run=run, customer_id__gte=customer_ids[0], customer_id__lte=customer_ids[-1]
        )
        .order_by("customer_id")
        .values_list("customer_id", "shared_contact", "shared_address"),
        dtype=np.int64,
    ).reshape(-1, 3)
    ids = np.asarray(customer_ids, dtype=np.int64)
    at = np.searchsorted(ids, rows[:, 0])
    found = at < len(ids)
    found[found] = ids[at[found]] == rows[found, 0]
    shared_contact[at[found]] = rows[found, 1]
    shared_address[at[found]] = rows[found, 2]
    return shared_contact, shared_address


def shared_keys_probe(customer_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The same counts for a few customers (ascending ids), probing the key index for each of
    their keys: each distinct key is sized once, before the join."""
    tables = _tables()
    position = {pk: i for i, pk in enumerate(customer_ids)}
    shared_contact = np.zeros(len(customer_ids))
    shared_address = np.zeros(len(customer_ids))
    sql = f"""
        WITH mine AS (
            SELECT me.id, me.party_id, a.kind, a.value
            FROM {tables["customers"]} me
            JOIN {tables["keys"]} a ON a.party_id = me.party_id AND a.kind IN ({_KINDS})
            WHERE me.id BETWEEN %s AND %s
        ),
        selective AS (
            SELECT k.kind, k.value
            FROM (SELECT DISTINCT kind, value FROM mine) AS k
            WHERE (SELECT COUNT(*) FROM (
                    SELECT 1 FROM {tables["keys"]} s
                    WHERE s.kind = k.kind AND s.value = k.value LIMIT %s
                  ) AS block) <= %s
        )
        SELECT me.id, {_COUNTS.format(key="me")}
        FROM mine me
        JOIN selective USING (kind, value)
        JOIN {tables["keys"]} o ON o.kind = me.kind AND o.value = me.value
            AND o.party_id <> me.party_id
        JOIN {tables["customers"]} other ON other.party_id = o.party_id
        WHERE {_UNLINKED.format(me="me.id", other="other.id", **tables)}
        GROUP BY me.id
    """
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner overestimates this join by ten times and would compile it (JIT),
            # which costs more than the query itself.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(
            sql,
            [customer_ids[0], customer_ids[-1], BLOCK_CAP + 1, BLOCK_CAP],
        )
        for customer_id, contact, address in cursor.fetchall():
            if customer_id in position:
                shared_contact[position[customer_id]] = contact
                shared_address[position[customer_id]] = address
    return shared_contact, shared_address


def fraud_signals(
    customer_ids: list[int], as_of: date, table: FeatureTable, *, run: ScoringRun | None = None
) -> dict[str, np.ndarray]:
    """The fraud score's signals for the rows of ``table``: from the run's base-wide count
    when it has one, else probed for these customers."""
    if not customer_ids:
        shared = (np.zeros(0), np.zeros(0))
    elif run is not None and run.shared_keys_counted_at:
        shared = shared_keys_read(run, customer_ids)
    else:
        shared = shared_keys_probe(customer_ids)
    return {
        "shared_contact": shared[0],
        "shared_address": shared[1],
        "recent_subscriptions": table.column("subscriptions_30d"),
    }
