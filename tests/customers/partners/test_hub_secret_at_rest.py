"""A hub's signing secret is stored only encrypted, under keys from CRM_SECRETS_KEY that can be
rotated; existing secrets are encrypted by a migration and decrypted when it is reversed."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings

from crm.sealed import SecretUnreadable, secrets_key_check
from customers.partners.models import HubSubscription
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

SECRET = "whsec-the-partner-checks-this-1234"
OLD_KEY, NEW_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _stored(hub) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM customers_hubsubscription WHERE id = %s", [hub.pk])
        return cursor.fetchone()[0]


def _hub(**fields):
    return HubSubscription.objects.create(
        partner=PartnerFactory(), callback="https://partner.example/hook", **fields
    )


def test_the_database_holds_the_secret_only_encrypted_and_the_hub_reads_it_back():
    hub = _hub(secret=SECRET)

    assert SECRET not in _stored(hub)
    assert HubSubscription.objects.get(pk=hub.pk).secret == SECRET


def test_a_secret_encrypted_under_an_older_key_reads_once_a_new_key_goes_first():
    with override_settings(CRM_SECRETS_KEY=[OLD_KEY]):
        hub = _hub(secret=SECRET)

    with override_settings(CRM_SECRETS_KEY=[NEW_KEY, OLD_KEY]):
        assert HubSubscription.objects.get(pk=hub.pk).secret == SECRET
        hub.save()  # written again: now under the new key
    with override_settings(CRM_SECRETS_KEY=[NEW_KEY]):
        assert HubSubscription.objects.get(pk=hub.pk).secret == SECRET


def test_a_secret_whose_key_was_removed_says_which_setting_to_fix():
    with override_settings(CRM_SECRETS_KEY=[OLD_KEY]):
        hub = _hub(secret=SECRET)

    with override_settings(CRM_SECRETS_KEY=[NEW_KEY]), pytest.raises(SecretUnreadable) as error:
        HubSubscription.objects.get(pk=hub.pk)
    assert "CRM_SECRETS_KEY" in str(error.value)


def test_development_without_a_key_is_warned_and_a_set_key_is_not():
    lookup_key = "a lookup key of more than thirty-two characters"
    with override_settings(DEBUG=True, CRM_SECRETS_KEY=[], CRM_LOOKUP_KEY=lookup_key):
        [warning] = secrets_key_check(None)
    assert warning.id == "crm.W001" and "CRM_SECRETS_KEY" in warning.msg
    with override_settings(DEBUG=True, CRM_SECRETS_KEY=[NEW_KEY], CRM_LOOKUP_KEY=""):
        [warning] = secrets_key_check(None)
    assert warning.id == "crm.W002" and "CRM_LOOKUP_KEY" in warning.msg
    with override_settings(DEBUG=True, CRM_SECRETS_KEY=[NEW_KEY], CRM_LOOKUP_KEY=lookup_key):
        assert secrets_key_check(None) == []


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_secrets_and_reversing_it_decrypts_them():
    before, after = (
        [("partners", "0003_idempotent_requests")],
        [("partners", "0004_hub_secrets_encrypted")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    partner = PartnerFactory()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO customers_hubsubscription (partner_id, callback, query, secret, "
            "created_at) VALUES (%s, %s, '', %s, CURRENT_TIMESTAMP)",
            [partner.pk, "https://partner.example/hook", SECRET],
        )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        hub = HubSubscription.objects.only("id", "secret").get()
        assert SECRET not in _stored(hub) and hub.secret == SECRET

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM customers_hubsubscription")
            assert cursor.fetchone()[0] == SECRET
    finally:
        MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
