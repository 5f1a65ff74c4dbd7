from django.db import migrations

MODELS = ['duplicatecandidate', 'duplicatescan', 'duplicatescanchunk', 'identitykey', 'importchunk', 'importjob', 'importrowerror']


def relabel(apps, schema_editor):
    """The content types (and so every permission, group grant and admin log entry) of the models
    that moved here keep their rows: only their app label changes."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label="identity", model=model).exists():
            continue
        ContentType.objects.filter(app_label="customers", model=model).update(app_label="identity")


def relabel_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label="customers", model=model).exists():
            continue
        ContentType.objects.filter(app_label="identity", model=model).update(app_label="customers")


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_initial"),
        ("customers", "0012_models_moved_to_identity_and_partners"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(relabel, relabel_back)]
