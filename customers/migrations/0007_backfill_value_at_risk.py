from django.db import migrations


class Migration(migrations.Migration):
    """Scores written before value at risk existed get it now, not at the next nightly run."""

    dependencies = [("customers", "0006_scores_value_at_risk")]

    operations = [
        migrations.RunSQL(
            "UPDATE customers_latestscores "
            "SET value_at_risk = ROUND(CAST(lifetime_value * churn_risk AS NUMERIC), 2) "
            "WHERE value_at_risk = 0",
            migrations.RunSQL.noop,
        )
    ]
