from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0001_handoffs"),
    ]

    operations = [
        migrations.AddField(
            model_name="handoff",
            name="queue",
            field=models.CharField(
                blank=True, help_text="The Celery queue; blank: the task's route.", max_length=100
            ),
        ),
        migrations.AddField(
            model_name="handoff",
            name="request_id",
            field=models.CharField(
                blank=True,
                help_text="The request that asked for the work, for logs.",
                max_length=128,
            ),
        ),
    ]
