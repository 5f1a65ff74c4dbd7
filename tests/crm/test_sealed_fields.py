"""A person's national id and birth date are stored encrypted and found by a keyed hash; keys
are rotated by putting a new one first and running ``secrets_rotate``."""

from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from crm.bulk import bulk_insert
from crm.sealed import (
    DEVELOPMENT_KEY,
    SecretUnreadable,
    decrypted_dates,
    encrypted_values_rotate,
    lookup_digest,
)
from customers.identity.models import IdentityKey
from customers.models import Party
from customers.services.contacts import ContactMediumInput
from customers.services.customers import party_names
from tests.factories import CustomerFactory, PartyFactory

pytestmark = pytest.mark.django_db

NEW_KEY = Fernet.generate_key().decode()


def _stored(party: Party) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT national_id, birth_date FROM customers_party WHERE id = %s", [party.pk]
        )
        national_id, birth_date = cursor.fetchone()
    return national_id, str(birth_date)


@pytest.fixture
def ada(db):
    return PartyFactory(
        given_name="Ada",
        family_name="Lovelace",
        national_id="ab 123456 c",
        birth_date=date(1815, 12, 10),
    )


def test_the_database_holds_the_national_id_and_birth_date_encrypted(ada):
    national_id, birth_date = _stored(ada)
    assert "AB123456C" not in national_id and "1815" not in birth_date
    read = Party.objects.get(pk=ada.pk)
    assert (read.national_id, read.birth_date) == ("AB123456C", date(1815, 12, 10))


def test_saving_an_unchanged_party_keeps_what_is_stored(ada):
    before = _stored(ada)
    party = Party.objects.get(pk=ada.pk)
    party_names(party)  # normalises the national id again into a new, equal string
    party.save()
    assert _stored(party) == before


def test_a_changed_value_is_encrypted_anew(ada):
    before = _stored(ada)
    party = Party.objects.get(pk=ada.pk)
    party.birth_date = date(1815, 12, 11)
    party.save()
    after = _stored(party)
    assert after[0] == before[0] and after[1] != before[1]
    assert Party.objects.get(pk=ada.pk).birth_date == date(1815, 12, 11)


def test_a_lookup_by_an_encrypted_value_is_refused_rather_than_matching_nothing(ada):
    with pytest.raises(FieldError):
        Party.objects.filter(national_id="AB123456C").exists()
    with pytest.raises(FieldError):
        Party.objects.filter(birth_date__year=1815).exists()
    assert Party.objects.filter(birth_date__isnull=False).count() == 1


def test_the_national_id_is_found_by_its_keyed_hash(ada):
    assert Party.objects.get(national_id_digest=lookup_digest("AB123456C")) == ada
    with override_settings(CRM_LOOKUP_KEY="another key entirely, of enough length"):
        assert lookup_digest("AB123456C") != ada.national_id_digest


def test_identity_keys_hold_no_personal_data(db):
    customer = CustomerFactory(
        given_name="Ada",
        family_name="Lovelace",
        national_id="AB123456C",
        birth_date=date(1815, 12, 10),
        contact_media=[ContactMediumInput(kind="email", value="ada@example.org")],
    )
    values = list(IdentityKey.objects.filter(party=customer.party).values_list("value", flat=True))
    assert values
    for value in values:
        assert len(value) == 32
        assert not any(part in value for part in ("AB123456C", "18151210", "ada@", "LVLC"))


def test_a_bulk_insert_encrypts_as_a_save_does(db):
    party = Party(kind="individual", family_name="Bulk", national_id="ZZ999999Z")
    party_names(party)
    bulk_insert([party], with_ids=True)
    assert "ZZ999999Z" not in _stored(party)[0]
    assert Party.objects.get(family_name="Bulk").national_id == "ZZ999999Z"


def test_rotation_encrypts_every_value_again_under_the_new_key(ada):
    before = _stored(ada)
    with override_settings(CRM_SECRETS_KEY=[NEW_KEY, DEVELOPMENT_KEY.decode()]):
        rotated = encrypted_values_rotate()
    assert rotated["customers.Party"] == 1
    assert _stored(ada) != before
    with override_settings(CRM_SECRETS_KEY=[NEW_KEY]):
        read = Party.objects.get(pk=ada.pk)
        assert (read.national_id, read.birth_date) == ("AB123456C", date(1815, 12, 10))


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the field history's triggers need PostgreSQL"
)
def test_rotation_adds_nothing_to_the_field_history(ada, tmp_path):
    from customers.history.models import PartyChange

    events = PartyChange.objects.count()
    keys = [NEW_KEY, DEVELOPMENT_KEY.decode()]
    with override_settings(CRM_SECRETS_KEY=keys), open(tmp_path / "out.txt", "w") as out:
        call_command("secrets_rotate", stdout=out)
    assert PartyChange.objects.count() == events
    with override_settings(CRM_SECRETS_KEY=[NEW_KEY]):
        assert PartyChange.objects.filter(id=ada.pk).last().national_id == "AB123456C"


def test_rotation_without_the_old_key_stops_with_a_message(ada):
    with (
        override_settings(CRM_SECRETS_KEY=[NEW_KEY]),
        pytest.raises(CommandError, match="CRM_SECRETS_KEY"),
    ):
        call_command("secrets_rotate")


def test_after_the_lookup_key_changes_a_rebuild_finds_the_national_id_again(ada):
    new_key = "a lookup key chosen after the old one leaked"
    with override_settings(CRM_LOOKUP_KEY=new_key):
        assert not Party.objects.filter(national_id_digest=lookup_digest("AB123456C")).exists()
        call_command("rebuild_identity_keys", verbosity=0)
        assert Party.objects.get(national_id_digest=lookup_digest("AB123456C")) == ada


def test_birth_dates_read_as_ciphertext_decrypt_in_one_batch_as_the_field_reads_them(ada):
    ciphertexts = [_stored(ada)[1], None, ""]

    assert decrypted_dates(ciphertexts) == [date(1815, 12, 10), None, None]


def test_a_batch_no_key_decrypts_stops_with_a_message(ada):
    ciphertext = _stored(ada)[1]

    with override_settings(CRM_SECRETS_KEY=[NEW_KEY]), pytest.raises(SecretUnreadable):
        decrypted_dates([ciphertext])
