"""A party's national id and birth date are stored encrypted under CRM_SECRETS_KEY, and the
national id is found by its keyed hash (CRM_LOOKUP_KEY). Existing values are encrypted here;
going back decrypts them."""

from django.db import migrations, models

import crm.sealed
from customers.normalization import national_id_normalise

BATCH = 5000


def _triggers(schema_editor, enabled: bool) -> None:
    # The field history's triggers would record the migration's own rewrite as a change of
    # every person's data; the values do not change, only how they are stored.
    if schema_editor.connection.vendor == "postgresql":
        state = "ENABLE" if enabled else "DISABLE"
        schema_editor.execute(f"ALTER TABLE customers_party {state} TRIGGER USER")


def _rewrite(schema_editor, convert) -> None:
    """Each party holding a national id or a birth date, rewritten by ``convert``, in
    batches of ids."""
    connection = schema_editor.connection
    last_id = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, national_id, birth_date FROM customers_party "
                "WHERE id > %s AND (national_id <> '' OR birth_date IS NOT NULL) "
                "ORDER BY id LIMIT %s",
                [last_id, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.executemany(
                "UPDATE customers_party SET national_id = %s, birth_date = %s, "
                "national_id_digest = %s WHERE id = %s",
                [(*convert(national_id, birth_date), pk) for pk, national_id, birth_date in rows],
            )
        last_id = rows[-1][0]


def _sealed(text) -> str | None:
    return crm.sealed.encrypt(str(text)) if text else text


def _opened(token) -> str | None:
    return crm.sealed.decrypt(token) if token else token


def encrypt_values(apps, schema_editor):
    _triggers(schema_editor, enabled=False)
    _rewrite(
        schema_editor,
        lambda national_id, birth_date: (
            _sealed(national_id),
            _sealed(birth_date),
            crm.sealed.lookup_digest(national_id_normalise(national_id or "")),
        ),
    )
    _triggers(schema_editor, enabled=True)


def decrypt_values(apps, schema_editor):
    _triggers(schema_editor, enabled=False)
    _rewrite(
        schema_editor,
        lambda national_id, birth_date: (_opened(national_id), _opened(birth_date), ""),
    )
    _triggers(schema_editor, enabled=True)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0020_bulk_run_list_name"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="party", name="party_national_id_idx"),
        migrations.AddField(
            model_name="party",
            name="national_id_digest",
            field=models.CharField(blank=True, editable=False, max_length=32),
        ),
        # Plain text columns first, so the data step reads and writes the stored text as is.
        migrations.AlterField(
            model_name="party",
            name="national_id",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="party",
            name="birth_date",
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(encrypt_values, decrypt_values, elidable=False),
        migrations.AlterField(
            model_name="party",
            name="national_id",
            field=crm.sealed.EncryptedTextField(
                blank=True, help_text="Passport, ID card or social security number.", max_length=40
            ),
        ),
        migrations.AlterField(
            model_name="party",
            name="birth_date",
            field=crm.sealed.EncryptedDateField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="party",
            index=models.Index(
                condition=models.Q(("national_id_digest", ""), _negated=True),
                fields=["national_id_digest"],
                name="party_national_id_digest_idx",
            ),
        ),
    ]
