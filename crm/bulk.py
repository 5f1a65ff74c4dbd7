"""Bulk writes that stay fast at millions of rows; the one place the project speaks COPY.

On PostgreSQL rows go in with COPY, several times faster than multi-row INSERTs; elsewhere
(SQLite) through bulk_create or a multi-row INSERT. Either way the rows join the caller's
transaction.
"""

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

import numpy as np
from django.db import NotSupportedError, connection

from crm.sealed import EncryptedFieldMixin

# Fields whose value COPY can take as it is when it is a plain str, int or bool: for these,
# get_db_prep_save only hands the value back, and calling it for every field of every row
# costs more than the COPY itself.
_SENT_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}
_PLAIN_TYPES = (str, int, bool, type(None))


@contextmanager
def _copy_stream(table: str, columns: Sequence[str]):
    """A COPY into ``table``; the names come quoted."""
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        yield copy


def _copy_into(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    with _copy_stream(table, columns) as copy:
        for row in rows:
            copy.write_row(row)


def _columns(model, fields: Sequence[str]) -> list[str]:
    return [connection.ops.quote_name(model._meta.get_field(name).column) for name in fields]


def bulk_copy(model, fields: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``) into ``model``'s table."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql":
        _copy_into(connection.ops.quote_name(model._meta.db_table), _columns(model, fields), rows)
        return len(rows)
    model.objects.bulk_create(
        (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=2000
    )
    return len(rows)


# Stands for NULL until the text is escaped; it cannot occur in the values. An object array,
# because numpy strips trailing NUL characters from its own strings.
_NULL_MARK = np.empty(1, dtype=object)
_NULL_MARK[0] = "\x00"


def copy_text(columns: Sequence[np.ndarray]) -> str:
    """Rows given column by column (object arrays of text, or None for NULL) in PostgreSQL's
    COPY text format, for ``bulk_copy_text``. A process that only generates rows can encode
    them this way while another one writes."""
    if not len(columns[0]):  # a block may hold no row of a rare table
        return ""
    values = []
    for column in columns:
        if None in column:
            column = np.where(np.equal(column, None), _NULL_MARK, column)
        values.append(column.tolist())
    text = "\n".join(map("\t".join, zip(*values, strict=True))) + "\n"
    rows = len(values[0])
    if text.count("\n") != rows or text.count("\t") != rows * (len(values) - 1):
        raise ValueError("A value contains a tab or a line break.")
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return text.replace("\x00", "\\N")


def bulk_copy_text(model, columns: Sequence[str], data: bytes) -> None:
    """Copy rows already in COPY text format (``copy_text``, UTF-8) into ``model``'s table;
    ``columns`` are database column names. PostgreSQL only."""
    if connection.vendor != "postgresql":
        raise NotSupportedError("COPY text needs PostgreSQL; use bulk_copy_columns.")
    quote = connection.ops.quote_name
    with _copy_stream(quote(model._meta.db_table), [quote(c) for c in columns]) as copy:
        copy.write(data)


def bulk_copy_columns(model, columns: dict[str, np.ndarray]) -> int:
    """Insert rows given column by column: database column names to object arrays of text as
    the database reads it (or None). No field logic runs, so values such as a historical
    created_at are stored as given, where bulk_create would stamp them."""
    if not columns:
        return 0
    rows = len(next(iter(columns.values())))
    if connection.vendor == "postgresql":
        bulk_copy_text(model, list(columns), copy_text(list(columns.values())).encode())
        return rows
    quote = connection.ops.quote_name
    names = ", ".join(quote(name) for name in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})",
            list(zip(*(column.tolist() for column in columns.values()), strict=True)),
        )
    return rows


# Below this many rows a multi-row INSERT … ON CONFLICT costs less than a staging table.
_STAGED_FROM_ROWS = 500
_INLINE_BATCH = 500  # rows per inline statement: under SQLite's limit of bound variables


def bulk_upsert(
    model,
    fields: Sequence[str],
    rows: Iterable[Sequence],
    *,
    unique_field: str,
    changed_only: Sequence[str] = (),
) -> int:
    """Insert ``rows``, or update every other field of the row that has the same ``unique_field``.

    With ``changed_only``, an existing row is updated only when one of those fields differs:
    an unchanged row is not rewritten, which spares its indexes a new entry and the table a dead
    row (the other fields, a time stamp say, then keep their values).

    On PostgreSQL a large batch is copied into a temporary staging table and merged with one
    INSERT … ON CONFLICT, several times faster than the same statement with the values inline.
    """
    rows = list(rows)
    if not rows:
        return 0
    columns = _columns(model, fields)
    merge = _Merge(model, columns, _columns(model, [unique_field]), _columns(model, changed_only))
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or len(rows) < _STAGED_FROM_ROWS:
            merge.inline(cursor, _prepared(model, fields, rows))
        else:
            with merge.staged(cursor) as staging:
                _copy_into(staging, columns, rows)
    return len(rows)


def bulk_upsert_columns(
    model,
    columns: dict[str, np.ndarray],
    *,
    unique_column: str,
    changed_only: Sequence[str] = (),
) -> int:
    """``bulk_upsert`` of rows given column by column, as ``bulk_copy_columns`` takes them
    (database column names to object arrays of text as the database reads it, or None)."""
    rows = len(next(iter(columns.values()))) if columns else 0
    if not rows:
        return 0
    quote = connection.ops.quote_name
    merge = _Merge(
        model,
        [quote(name) for name in columns],
        [quote(unique_column)],
        [quote(name) for name in changed_only],
    )
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql" or rows < _STAGED_FROM_ROWS:
            merge.inline(cursor, list(zip(*(c.tolist() for c in columns.values()), strict=True)))
        else:
            with merge.staged(cursor) as staging, _copy_stream(staging, merge.columns) as copy:
                copy.write(copy_text(list(columns.values())).encode())
    return rows


class _Merge:
    """INSERT … ON CONFLICT (``key``) DO UPDATE of ``columns`` (quoted), from values inline or
    from a staging table; with ``compared``, only where one of those columns differs."""

    def __init__(self, model, columns: list[str], key: list[str], compared: list[str]):
        self.model, self.columns = model, columns
        self.table = connection.ops.quote_name(model._meta.db_table)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        unless_same = (
            " WHERE " + " OR ".join(f"{self.table}.{c} {distinct} EXCLUDED.{c}" for c in compared)
            if compared
            else ""
        )
        self.clause = f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}{unless_same}"
        self.listed = ", ".join(columns)

    def inline(self, cursor, rows: list[Sequence]) -> None:
        marks = "(" + ", ".join(["%s"] * len(self.columns)) + ")"
        for start in range(0, len(rows), _INLINE_BATCH):
            batch = rows[start : start + _INLINE_BATCH]
            cursor.execute(
                f"INSERT INTO {self.table} ({self.listed}) "
                f"VALUES {', '.join([marks] * len(batch))} {self.clause}",
                [value for row in batch for value in row],
            )

    @contextmanager
    def staged(self, cursor):
        """A temporary staging table to fill (its quoted name), merged on leaving."""
        staging = connection.ops.quote_name(f"{self.model._meta.db_table}_staged")
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
            f"(LIKE {self.table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        yield staging
        cursor.execute(
            f"INSERT INTO {self.table} ({self.listed}) SELECT {self.listed} FROM {staging} "
            f"{self.clause}"
        )
        cursor.execute(f"TRUNCATE {staging}")


def _prepared(model, fields: Sequence[str], rows: list[Sequence]) -> list[list]:
    """Values as the database takes them (a Decimal, an aware datetime …), as a save does."""
    concrete = [model._meta.get_field(name) for name in fields]
    return [
        [
            field.get_db_prep_save(value, connection)
            for field, value in zip(concrete, row, strict=True)
        ]
        for row in rows
    ]


def bulk_insert(objects: Sequence, *, with_ids: bool = False) -> int:
    """Insert unsaved model instances of one model.

    Without ``with_ids`` nobody gets the new ids back (logs, history, keys …). With it, every
    instance is given its primary key before the insert, from the table's own sequence, so that
    the rows written next can point at it; the instances then count as saved.
    """
    if not objects:
        return 0
    model = type(objects[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=2000)
        return len(objects)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if with_ids:
        _assign_ids(model, objects)
        fields.insert(0, model._meta.pk)
    stamped = {
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    }
    # An encrypted field says TextField but must be encrypted on its way in.
    plain = {
        f
        for f in fields
        if f.get_internal_type() in _SENT_AS_IS and not isinstance(f, EncryptedFieldMixin)
    }
    columns = [(f, f.attname, f in stamped, f in plain) for f in fields]
    rows = []
    for obj in objects:
        # As bulk_create does: take the ids of related instances saved since this one was
        # built, and refuse one pointing at an unsaved instance.
        obj._prepare_related_fields_for_save(operation_name="bulk_insert")
        row = []
        for field, attname, is_stamped, is_plain in columns:
            # pre_save fills auto_now / auto_now_add the way save() would.
            value = field.pre_save(obj, add=True) if is_stamped else getattr(obj, attname)
            if not (is_plain and isinstance(value, _PLAIN_TYPES)):
                value = field.get_db_prep_save(value, connection)
            row.append(value)
        rows.append(row)
    count = bulk_copy(model, [f.name for f in fields], rows)
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return count


def _assign_ids(model, objects: Sequence) -> None:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            obj.pk = pk
