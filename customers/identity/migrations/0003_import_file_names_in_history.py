"""Timeline entries of imported customers carry the file's name, so the core's timeline reads it
from the entry instead of looking up the identity app's import jobs."""

from django.db import migrations


def file_names_into_entries(apps, schema_editor):
    ActionLog = apps.get_model("customers", "ActionLog")
    ImportJob = apps.get_model("identity", "ImportJob")
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {ActionLog._meta.db_table} AS entry
                SET data = jsonb_set(entry.data, '{{file}}', to_jsonb(job.original_name))
                FROM {ImportJob._meta.db_table} AS job
                WHERE entry.action = 'customer.imported'
                  AND entry.data ? 'job' AND NOT entry.data ? 'file'
                  AND (entry.data ->> 'job')::bigint = job.id
                """
            )
        return
    names = dict(ImportJob.objects.values_list("pk", "original_name"))
    for entry in ActionLog.objects.filter(action="customer.imported").iterator():
        data = entry.data or {}
        if "file" not in data and data.get("job") in names:
            entry.data = {**data, "file": names[data["job"]]}
            entry.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0002_content_types_from_customers"),
        ("customers", "0012_models_moved_to_identity_and_partners"),
    ]

    operations = [
        migrations.RunPython(file_names_into_entries, migrations.RunPython.noop, elidable=True),
    ]
