"""Schema steps the migrations share."""

from django.db import migrations


def tables_created_where_missing(app_label: str) -> migrations.RunPython:
    """Create each table of ``app_label``'s models, as they stand at this point of the migration,
    that the database does not have yet.

    For the squashed first migration of an app whose models moved in from another app: on a new
    database it creates their tables; on a database where the other app's older migrations
    created them already, it leaves them as they are. Going back leaves the tables too: on the
    older path they belong to the other app's migrations, which drop them themselves.
    """

    def forwards(apps, schema_editor):
        existing = set(schema_editor.connection.introspection.table_names())
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.db_table not in existing:
                schema_editor.create_model(model)

    return migrations.RunPython(forwards, migrations.RunPython.noop)


def content_types_moved(models: list[str], *, from_app: str, to_app: str) -> migrations.RunPython:
    """Move the content types of ``models`` from one app label to another, so that every
    permission, group grant and admin log entry that points at them keeps its row. A model
    that already has a content type under the new label is left alone."""

    def move(apps, schema_editor, source, target):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not ContentType.objects.filter(app_label=target, model=model).exists():
                ContentType.objects.filter(app_label=source, model=model).update(app_label=target)

    return migrations.RunPython(
        lambda apps, editor: move(apps, editor, from_app, to_app),
        lambda apps, editor: move(apps, editor, to_app, from_app),
    )


def constraints_renamed_from(app_label: str, old_label: str) -> migrations.RunPython:
    """Give ``app_label``'s constraints whose names are built from the app label
    (``'%(app_label)s_…'``) their new names where the database still has them under the label
    of the app the models came from; a new database has the new names already."""

    def forwards(apps, schema_editor):
        prefix = f"{app_label}_"
        for model in apps.get_app_config(app_label).get_models():
            with schema_editor.connection.cursor() as cursor:
                existing = schema_editor.connection.introspection.get_constraints(
                    cursor, model._meta.db_table
                )
            for constraint in model._meta.constraints:
                if not constraint.name.startswith(prefix):
                    continue
                old = constraint.clone()
                old.name = f"{old_label}_{constraint.name.removeprefix(prefix)}"
                if old.name in existing:
                    schema_editor.remove_constraint(model, old)
                    schema_editor.add_constraint(model, constraint)

    return migrations.RunPython(forwards, migrations.RunPython.noop)
