"""Open follow-ups nobody was given get an owner by the rule new ones follow: the customer's
account manager, else whoever owns (or, for older rows, handled) the interaction the survey
asked about. Only active staff are chosen; the rest stay in the Unassigned list."""

from django.conf import settings
from django.db import migrations
from django.db.models import OuterRef, Subquery

BATCH = 2000


def open_follow_ups_owned(apps, schema_editor):
    FollowUp = apps.get_model("satisfaction", "FollowUp")
    Customer = apps.get_model("customers", "Customer")
    Interaction = apps.get_model("customers", "Interaction")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    active = set(User.objects.filter(is_active=True).values_list("pk", flat=True))

    unowned = FollowUp.objects.filter(status="open", assigned_to__isnull=True)
    unowned.filter(customer__account_manager__is_active=True).update(
        assigned_to=Subquery(
            Customer.objects.filter(pk=OuterRef("customer_id")).values("account_manager_id")[:1]
        )
    )
    rows = list(unowned.values_list("pk", "response__invitation__trigger_key"))
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        by_interaction = {}
        for pk, key in batch:
            cause = key.split("@", 1)[0]
            interaction_id = cause.removeprefix("interaction:")
            if cause.startswith("interaction:") and interaction_id.isdigit():
                by_interaction.setdefault(int(interaction_id), []).append(pk)
        handlers = Interaction.objects.filter(pk__in=by_interaction).values_list(
            "pk", "owner_id", "staff_id"
        )
        changed = []
        for interaction_id, owner_id, staff_id in handlers:
            user_id = next((u for u in (owner_id, staff_id) if u in active), None)
            if user_id is not None:
                for pk in by_interaction[interaction_id]:
                    changed.append(FollowUp(pk=pk, assigned_to_id=user_id))
        FollowUp.objects.bulk_update(changed, ["assigned_to"])


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0010_billing_currency_missed_payments_interaction_owner"),
        ("satisfaction", "0002_response_filter_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(open_follow_ups_owned, migrations.RunPython.noop)]
