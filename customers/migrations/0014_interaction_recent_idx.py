from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("customers", "0013_customer_name_party_partner")]

    operations = [
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(fields=["-occurred_at", "-id"], name="interaction_recent_idx"),
        ),
    ]
