"""The key lookup index also holds the party: finding who holds a key (a candidate search, an
import batch, the scan) then reads the index alone, not one table page per holder."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0005_import_kind_usage"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="identitykey",
            index=models.Index(fields=["kind", "value", "party"], name="identity_key_members_idx"),
        ),
        migrations.RemoveIndex(
            model_name="identitykey",
            name="identity_key_lookup_idx",
        ),
    ]
