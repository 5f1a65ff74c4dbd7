"""Hub signing secrets are stored encrypted under CRM_SECRETS_KEY, and may be rotated with an
overlap. Existing secrets are encrypted here; going back decrypts them."""

from django.db import migrations, models

import crm.sealed


def encrypt_secrets(apps, schema_editor):
    HubSubscription = apps.get_model("partners", "HubSubscription")
    for hub in HubSubscription.objects.only("secret").iterator():
        HubSubscription.objects.filter(pk=hub.pk).update(secret=crm.sealed.encrypt(hub.secret))


def decrypt_secrets(apps, schema_editor):
    HubSubscription = apps.get_model("partners", "HubSubscription")
    for hub in HubSubscription.objects.only("secret").iterator():
        HubSubscription.objects.filter(pk=hub.pk).update(secret=crm.sealed.decrypt(hub.secret))


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_idempotent_requests"),
    ]

    operations = [
        # A plain text column first, so the data step reads and writes the stored text as is.
        migrations.AlterField(
            model_name="hubsubscription",
            name="secret",
            field=models.TextField(),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
        migrations.AlterField(
            model_name="hubsubscription",
            name="secret",
            field=crm.sealed.EncryptedTextField(
                help_text="Signs every delivery (HMAC-SHA256), so the receiver can trust it. "
                "Stored encrypted under CRM_SECRETS_KEY."
            ),
        ),
        migrations.AddField(
            model_name="hubsubscription",
            name="previous_secret",
            field=crm.sealed.EncryptedTextField(
                blank=True,
                help_text="The secret before the last rotation, signing beside the new one.",
            ),
        ),
        migrations.AddField(
            model_name="hubsubscription",
            name="previous_secret_expires_at",
            field=models.DateTimeField(
                blank=True, help_text="When the previous secret stops signing deliveries.", null=True
            ),
        ),
    ]
