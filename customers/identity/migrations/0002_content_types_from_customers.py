"""The content types (and so every permission, group grant and admin log entry) of the models
that moved here keep their rows: only their app label changes."""

from django.db import migrations

from crm.schema import content_types_moved

MODELS = ['duplicatecandidate', 'duplicatescan', 'duplicatescanchunk', 'identitykey', 'importchunk', 'importjob', 'importrowerror']


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0001_initial"),
        ("customers", "0012_models_moved_to_identity_and_partners"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [content_types_moved(MODELS, from_app="customers", to_app="identity")]
