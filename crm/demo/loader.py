"""Writes the generated batches: COPY on PostgreSQL, multi-row inserts elsewhere."""

import numpy as np
from django.db import connection, transaction

from crm.bulk import bulk_copy_columns, bulk_copy_text
from customers.models import Customer, Party
from customers.services.numbers import customer_serials_allocate

from .context import BULK_LOAD_MIN_CUSTOMERS, Context, Ids
from .generator import (
    TABLE_ORDER,
    BatchGenerator,
    batch_bounds,
    batch_tables,
    complete_columns,
    row_counts_add,
)


def postgres_load(ctx: Context, customers: int, batch_size: int, progress, notify) -> dict:
    """COPY every batch while the next one is generated.

    Normally each batch is its own transaction. A bulk load instead runs as one transaction that
    drops the secondary indexes and foreign keys of the seeded tables, copies every row, then
    rebuilds the indexes and re-adds the foreign keys, which checks every reference in one join
    per key. Building an index once from all rows is cheaper than updating it row by row, and it
    is what brings a million customers within minutes. Other sessions wait for these tables
    meanwhile; a failure rolls back everything, schema included.
    """
    bulk = customers >= max(BULK_LOAD_MIN_CUSTOMERS, ctx.first_index) and owns_tables()
    sequences = []
    with connection.cursor() as cursor:
        for model in (Party, Customer):
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            sequences.append(cursor.fetchone()[0])

    def reserve(n: int) -> Ids:
        """Primary keys from the tables' own sequences: safe next to other writers."""
        keys = []
        with connection.cursor() as cursor:
            for sequence in sequences:
                cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, n])
                keys.append(np.array([row[0] for row in cursor.fetchall()], dtype=np.int64))
        return Ids(keys[0], keys[1], np.array(customer_serials_allocate(n), dtype=np.int64))

    def copy_batch(payload) -> None:
        for model, (columns, data) in payload.items():
            bulk_copy_text(model, columns, data)

    def session(cursor) -> None:
        # Losing the last commits in a crash would only lose demo rows. Timestamps are UTC.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")

    batches = list(batch_bounds(customers, batch_size))
    generator = BatchGenerator(ctx, batches, reserve)
    try:
        if bulk:
            with transaction.atomic(), connection.cursor() as cursor:
                session(cursor)
                restore = indexes_detach(cursor)
                for (_, size), payload in zip(batches, generator, strict=True):
                    copy_batch(payload)
                    if progress:
                        progress(size)
                if notify:
                    notify("Rebuilding indexes and checking every reference…")
                for statement in restore:
                    cursor.execute(statement)
        else:
            for (_, size), payload in zip(batches, generator, strict=True):
                with transaction.atomic(), connection.cursor() as cursor:
                    session(cursor)
                    copy_batch(payload)
                if progress:
                    progress(size)
    finally:
        generator.close()
    return generator.counts


def indexes_detach(cursor) -> list[str]:
    """Drop the foreign keys and secondary indexes; return the statements that restore them."""
    cursor.execute("SET LOCAL maintenance_work_mem TO '512MB'")
    tables = [model._meta.db_table for model in TABLE_ORDER]
    cursor.execute(
        """
        SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
        ORDER BY 1, 2
        """,
        [tables],
    )
    foreign_keys = cursor.fetchall()
    # Primary keys stay, and so does any index a foreign key from elsewhere relies on.
    cursor.execute(
        """
        SELECT ix.indrelid::regclass::text, ix.indexrelid::regclass::text,
               pg_get_indexdef(ix.indexrelid), quote_ident(con.conname),
               pg_get_constraintdef(con.oid)
        FROM pg_index ix
        LEFT JOIN pg_constraint con
          ON con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid
         AND con.contype IN ('u', 'x')
        WHERE ix.indrelid = ANY(%s::regclass[]) AND NOT ix.indisprimary
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint f
            WHERE f.contype = 'f' AND f.conindid = ix.indexrelid
              AND NOT f.conrelid = ANY(%s::regclass[])
          )
        ORDER BY 1, 2
        """,
        [tables, tables],
    )
    indexes = cursor.fetchall()
    drop, restore, add_keys = [], [], []
    for table, name, definition in foreign_keys:
        drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        add_keys.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for table, index, index_definition, constraint, constraint_definition in indexes:
        if constraint:
            drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
            restore.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {constraint_definition}"
            )
        else:
            drop.append(f"DROP INDEX {index}")
            restore.append(index_definition)
    for statement in drop:
        cursor.execute(statement)
    return restore + add_keys


def sqlite_load(ctx: Context, customers: int, batch_size: int, progress) -> dict:
    """Multi-row inserts; bulk_create would overwrite the historical created_at and updated_at."""
    counts: dict[str, int] = {}
    quote = connection.ops.quote_name
    for start, size in batch_bounds(customers, batch_size):
        # The transaction holds SQLite's write lock, so the keys read here stay free.
        with transaction.atomic(), connection.cursor() as cursor:
            keys = []
            for model in (Party, Customer):
                table = model._meta.db_table
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")
                highest = cursor.fetchone()[0]
                # AUTOINCREMENT never reuses the key of a deleted row; neither do we.
                cursor.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table]
                )
                highest = max(highest, cursor.fetchone()[0])
                keys.append(np.arange(highest + 1, highest + 1 + size, dtype=np.int64))
            serials = np.array(customer_serials_allocate(size), dtype=np.int64)
            for tables in batch_tables(ctx, start, Ids(keys[0], keys[1], serials)):
                row_counts_add(tables, counts)
                for model in TABLE_ORDER:
                    bulk_copy_columns(model, complete_columns(model, tables[model]))
        if progress:
            progress(size)
    return counts


def owns_tables() -> bool:
    """Whether this database user may drop and rebuild the indexes of the seeded tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
            "WHERE oid = ANY(%s::regclass[])",
            [[model._meta.db_table for model in TABLE_ORDER]],
        )
        return bool(cursor.fetchone()[0])
