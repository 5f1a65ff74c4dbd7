import django.db.models.deletion
from django.db import migrations, models
from django.urls import reverse

BATCH = 2000


def follow_ups_become_tasks(apps, schema_editor):
    """Every follow-up made before follow-ups were tasks gets its task, open or closed as the
    follow-up is, in batches."""
    FollowUp = apps.get_model("satisfaction", "FollowUp")
    Task = apps.get_model("work", "Task")
    pending = FollowUp.objects.filter(task__isnull=True).order_by("pk")
    while batch := list(pending[:BATCH]):
        tasks = [
            Task(
                customer_id=follow_up.customer_id,
                # The answer, without the customer's comment the reason quotes.
                title=follow_up.reason.split(": “")[0][:200],
                kind="follow_up",
                owner_id=follow_up.assigned_to_id,
                due_on=follow_up.due_on,
                priority=2,
                state="open" if follow_up.status == "open" else "done",
                created_at=follow_up.created_at,
                updated_at=follow_up.closed_at or follow_up.created_at,
                closed_at=follow_up.closed_at,
                closed_by_id=follow_up.closed_by_id,
                closed_on_page=reverse("satisfaction:follow_up_close", args=[follow_up.pk]),
            )
            for follow_up in batch
        ]
        Task.objects.bulk_create(tasks)
        for follow_up, task in zip(batch, tasks, strict=True):
            follow_up.task_id = task.pk
        FollowUp.objects.bulk_update(batch, ["task"])


class Migration(migrations.Migration):
    dependencies = [
        ("satisfaction", "0001_squashed_0003_follow_ups_owned"),
        ("work", "0002_task_closed_on_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="task",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="survey_follow_up",
                to="work.task",
            ),
        ),
        migrations.RunPython(follow_ups_become_tasks, migrations.RunPython.noop),
    ]
