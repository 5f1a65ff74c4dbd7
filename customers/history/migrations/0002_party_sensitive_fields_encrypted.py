"""The snapshots of a party keep its national id and birth date encrypted, as the party does
(customers 0021): a copy of the history table gives them away no more than the party table."""

from django.db import migrations, models

import crm.sealed

BATCH = 5000


def _rewrite(schema_editor, convert) -> None:
    connection = schema_editor.connection
    last_id = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pgh_id, national_id, birth_date FROM history_partychange "
                "WHERE pgh_id > %s AND (national_id <> '' OR birth_date IS NOT NULL) "
                "ORDER BY pgh_id LIMIT %s",
                [last_id, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(
                "UPDATE history_partychange SET national_id = %s, birth_date = %s "
                "WHERE pgh_id = %s",
                [(*convert(national_id, birth_date), pk) for pk, national_id, birth_date in rows],
            )
        last_id = rows[-1][0]


def encrypt_values(apps, schema_editor):
    _rewrite(
        schema_editor,
        lambda *values: tuple(crm.sealed.encrypt(str(v)) if v else v for v in values),
    )


def decrypt_values(apps, schema_editor):
    _rewrite(
        schema_editor,
        lambda *values: tuple(crm.sealed.decrypt(v) if v else v for v in values),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0001_initial"),
        ("customers", "0021_party_sensitive_fields_encrypted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="partychange",
            name="national_id",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="partychange",
            name="birth_date",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_values, decrypt_values, elidable=False),
        migrations.AlterField(
            model_name="partychange",
            name="birth_date",
            field=crm.sealed.EncryptedDateField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="partychange",
            name="national_id",
            field=crm.sealed.EncryptedTextField(
                blank=True, help_text="Passport, ID card or social security number.", max_length=40
            ),
        ),
    ]
