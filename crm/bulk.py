"""Bulk writes that stay fast at millions of rows.

On PostgreSQL rows go in with COPY, several times faster than multi-row INSERTs; elsewhere
(SQLite) through bulk_create. Either way the rows join the caller's transaction.
"""

from collections.abc import Iterable, Sequence

from django.db import connection

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


def _copy_into(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> None:
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
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


# Below this many rows a multi-row INSERT … ON CONFLICT costs less than a staging table.
_STAGED_FROM_ROWS = 500


def bulk_upsert(
    model, fields: Sequence[str], rows: Iterable[Sequence], *, unique_field: str
) -> int:
    """Insert ``rows``, or update every other field of the row that has the same ``unique_field``.

    On PostgreSQL a large batch is copied into a temporary staging table and merged with one
    INSERT … ON CONFLICT, several times faster than the same statement with the values inline.
    """
    rows = list(rows)
    if not rows:
        return 0
    updated = [name for name in fields if name != unique_field]
    if connection.vendor != "postgresql" or len(rows) < _STAGED_FROM_ROWS:
        attnames = [model._meta.get_field(name).attname for name in fields]
        model.objects.bulk_create(
            (model(**dict(zip(attnames, row, strict=True))) for row in rows),
            update_conflicts=True,
            unique_fields=[unique_field],
            update_fields=updated,
            batch_size=2000,
        )
        return len(rows)
    table = connection.ops.quote_name(model._meta.db_table)
    staging = connection.ops.quote_name(f"{model._meta.db_table}_staged")
    columns = _columns(model, fields)
    key = connection.ops.quote_name(model._meta.get_field(unique_field).column)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _columns(model, updated))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} "
            f"(LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        _copy_into(staging, columns, rows)
        listed = ", ".join(columns)
        cursor.execute(
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {staging} "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
        )
        cursor.execute(f"TRUNCATE {staging}")
    return len(rows)


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
    plain = {f for f in fields if f.get_internal_type() in _SENT_AS_IS}
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
