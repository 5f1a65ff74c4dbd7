from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0004_follow_ups_as_tasks"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="response",
            index=models.Index(fields=["score", "-responded_at", "-id"], name="response_score_idx"),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                fields=["survey", "score", "-responded_at", "-id"], name="response_survey_score_idx"
            ),
        ),
    ]
