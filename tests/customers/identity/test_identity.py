"""Finding the customer someone already is: identity keys, candidate search, the create check."""

from datetime import date

import pytest

from crm.sealed import lookup_digest
from customers.identity.matching import IdentityProfile, blocking_keys
from customers.identity.models import DuplicateCandidate, IdentityKey
from customers.identity.services import identity
from customers.identity.services.identity import (
    DuplicateFound,
    candidates_for_profile,
    duplicates_check,
    identity_keys_rebuild,
    identity_keys_refresh,
    profile_from_input,
)
from customers.identity.services.merge import customers_merge
from customers.models import ContactMedium, Customer, Party
from customers.services import (
    ContactMediumInput,
    PartyInput,
    contact_medium_add,
    contact_medium_remove,
    contact_medium_update,
    customer_create,
    customer_update,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

Kind = ContactMedium.Kind
BIRTHDAY = date(1980, 5, 17)


def _email(value, **fields):
    return ContactMediumInput(kind=Kind.EMAIL, value=value, **fields)


def _mobile(value, **fields):
    return ContactMediumInput(kind=Kind.MOBILE, value=value, **fields)


def _postal(street, city, postcode):
    return ContactMediumInput(kind=Kind.POSTAL, street=street, city=city, postcode=postcode)


def _keys(customer) -> set[tuple[str, str]]:
    return set(IdentityKey.objects.filter(party_id=customer.party_id).values_list("kind", "value"))


def _candidates(party_input) -> list[Customer]:
    return [m.customer for m in candidates_for_profile(profile_from_input(party_input))]


# --- Identity keys ----------------------------------------------------------------------------


def test_create_writes_the_keys_of_the_whole_identity(agent):
    customer = customer_create(
        party=PartyInput(
            given_name="Jonathan",
            family_name="Smith",
            birth_date=BIRTHDAY,
            national_id="ab 12 34 56 c",
            contact_media=[
                _email("Jon.Smith@Example.com"),
                _mobile("07911 123456"),
                _postal("10 Downing Street", "London", "SW1A 2AA"),
            ],
        ),
        actor=agent,
    )

    expected = blocking_keys(
        IdentityProfile.build(
            given_name="Jonathan",
            family_name="Smith",
            birth_date=BIRTHDAY,
            national_id="AB123456C",
            emails=["jon.smith@example.com"],
            phones=["+447911123456"],
            street="10 Downing Street",
            city="London",
            postcode="SW1A 2AA",
        )
    )
    assert _keys(customer) == expected
    assert {
        ("email", lookup_digest("jon.smith@example.com")),
        ("phone", lookup_digest("+447911123456")),
    } <= expected
    assert ("nid", lookup_digest("AB123456C")) in expected
    assert {kind for kind, _ in expected} >= {"name_dob", "dob_postcode", "street_postcode"}


def test_adding_a_contact_medium_adds_its_key(lead, agent):
    assert ("email", lookup_digest("lena@example.com")) not in _keys(lead)

    contact_medium_add(customer=lead, medium=_email("Lena@Example.com"), actor=agent)

    assert ("email", lookup_digest("lena@example.com")) in _keys(lead)


def test_changing_a_contact_medium_replaces_its_key(lead, agent):
    contact = contact_medium_add(customer=lead, medium=_mobile("07911 123456"), actor=agent)

    contact_medium_update(contact=contact, medium=_mobile("+44 7912 345678"), actor=agent)

    keys = _keys(lead)
    assert ("phone", lookup_digest("+447912345678")) in keys
    assert ("phone", lookup_digest("+447911123456")) not in keys


def test_removing_a_contact_medium_removes_its_key(lead, agent):
    kept = contact_medium_add(customer=lead, medium=_email("lena@example.com"), actor=agent)
    removed = contact_medium_add(customer=lead, medium=_email("old@example.com"), actor=agent)

    contact_medium_remove(contact=removed, actor=agent)

    keys = _keys(lead)
    assert ("email", lookup_digest("old@example.com")) not in keys
    assert ("email", lookup_digest(kept.value)) in keys


def test_changing_the_profile_refreshes_the_name_and_birth_date_keys(agent):
    customer = CustomerFactory(
        actor=agent,
        given_name="Jonathan",
        family_name="Smith",
        birth_date=BIRTHDAY,
        contact_media=[_postal("10 Downing Street", "London", "SW1A 2AA")],
    )
    before = _keys(customer)

    customer_update(
        customer=customer, actor=agent, family_name="Okonkwo", birth_date=date(1979, 2, 3)
    )

    after = _keys(customer)
    expected = blocking_keys(
        IdentityProfile.build(
            given_name="Jonathan",
            family_name="Okonkwo",
            birth_date=date(1979, 2, 3),
            street="10 Downing Street",
            city="London",
            postcode="SW1A 2AA",
        )
    )
    assert after == expected
    assert ("dob_postcode", lookup_digest("19800517 SW1A2AA")) in before
    assert ("dob_postcode", lookup_digest("19800517 SW1A2AA")) not in after
    assert ("dob_postcode", lookup_digest("19790203 SW1A2AA")) in after


# --- Candidate search -------------------------------------------------------------------------

EXISTING_AND_NEW = [
    pytest.param(
        {
            "given_name": "Zoë",
            "family_name": "Brennan",
            "contact_media": [_email("zoe@example.com")],
        },
        {
            "given_name": "Zoe",
            "family_name": "Brennan",
            "contact_media": [_email("ZOE@Example.COM")],
        },
        "same e-mail",
        id="same-email-in-another-case",
    ),
    pytest.param(
        {
            "given_name": "Zoe",
            "family_name": "Brennan",
            "contact_media": [_mobile("+44 7911 123456")],
        },
        {"given_name": "Zoe", "family_name": "Brennan", "contact_media": [_mobile("07911 123456")]},
        "same phone",
        id="same-phone-national-vs-international",
    ),
    pytest.param(
        {
            "given_name": "Zoe",
            "family_name": "Brennan",
            "contact_media": [_mobile("+33 6 12 34 56 78")],
        },
        {
            "given_name": "Zoe",
            "family_name": "Brennan",
            "contact_media": [_mobile("06 12 34 56 78", country="FR")],
        },
        "same phone",
        id="same-foreign-phone-in-its-national-format",
    ),
    pytest.param(
        {
            "given_name": "Jonathan",
            "family_name": "Smith",
            "birth_date": BIRTHDAY,
            "contact_media": [_postal("10 Downing Street", "London", "SW1A 2AA")],
        },
        {
            "given_name": "Jonathan",
            "family_name": "Smyth",
            "birth_date": BIRTHDAY,
            "contact_media": [_postal("10 Downing St", "London", "SW1A 2AA")],
        },
        "same date of birth",
        id="family-name-typo-same-birth-date-and-postcode",
    ),
]


@pytest.mark.parametrize(("existing", "new", "reason"), EXISTING_AND_NEW)
def test_candidate_search_finds_the_existing_customer(agent, existing, new, reason):
    customer = CustomerFactory(actor=agent, **existing)
    CustomerFactory(actor=agent, given_name="Omar", family_name="Haddad")

    matches = candidates_for_profile(profile_from_input(PartyInput(**new)))

    assert [m.customer for m in matches] == [customer]
    assert reason in matches[0].match.reasons
    assert matches[0].match.score >= 0.5


@pytest.mark.parametrize(("existing", "new", "reason"), EXISTING_AND_NEW)
def test_the_create_check_refuses_a_probable_match_until_confirmed(agent, existing, new, reason):
    customer = CustomerFactory(actor=agent, **existing)

    with pytest.raises(DuplicateFound) as found:
        duplicates_check(PartyInput(**new))

    assert found.value.exact is False
    assert found.value.code == "duplicate_probable"
    assert [m.customer for m in found.value.matches] == [customer]
    set_aside = duplicates_check(PartyInput(**new), confirmed_distinct=[customer.pk])
    assert [m.customer for m in set_aside] == [customer]


def test_candidate_search_passes_over_an_unrelated_person_sharing_a_key(agent):
    existing = CustomerFactory(
        actor=agent,
        given_name="Jonathan",
        family_name="Smith",
        birth_date=BIRTHDAY,
        contact_media=[_postal("10 Downing Street", "London", "SW1A 2AA")],
    )
    stranger = PartyInput(
        given_name="Priya",
        family_name="Raman",
        birth_date=BIRTHDAY,
        contact_media=[_postal("4 Baker Street", "London", "NW1 6XE")],
    )
    # Born the same day in the same city: a blocking key in common, and nothing more.
    assert _keys(existing) & blocking_keys(profile_from_input(stranger))

    assert _candidates(stranger) == []
    assert duplicates_check(stranger) == []


def test_an_organisation_is_found_by_its_registration_number(agent):
    company = CustomerFactory(
        actor=agent,
        organisation=True,
        legal_name="Acme Widgets Ltd",
        registration_number="HRB 1234",
    )

    found = _candidates(
        PartyInput(
            kind=Party.Kind.ORGANIZATION, legal_name="ACME Widgets", registration_number="hrb1234"
        )
    )

    assert found == [company]


# --- The check at create ----------------------------------------------------------------------


def test_create_refuses_a_customer_with_the_same_national_id(agent, manager):
    existing = CustomerFactory(
        actor=agent, given_name="Ada", family_name="Lovelace", national_id="AB123456C"
    )
    customers, parties = Customer.objects.count(), Party.objects.count()

    with pytest.raises(DuplicateFound) as found:
        customer_create(
            party=PartyInput(given_name="Augusta", family_name="King", national_id="ab 12 34 56 c"),
            actor=manager,
            check_duplicates=True,
        )

    assert found.value.exact is True
    assert found.value.code == "duplicate_exact"
    assert [m.customer for m in found.value.matches] == [existing]
    message = found.value.messages[0]
    assert f"is already customer {existing.number}" in message
    assert "same national id" in message
    assert (Customer.objects.count(), Party.objects.count()) == (customers, parties)
    assert not DuplicateCandidate.objects.exists()


def test_create_refuses_a_customer_sharing_a_verified_e_mail(agent, manager):
    existing = CustomerFactory(
        actor=agent,
        given_name="Zoe",
        family_name="Brennan",
        contact_media=[_email("zoe@example.com", is_verified=True)],
    )
    customers = Customer.objects.count()

    with pytest.raises(DuplicateFound) as found:
        customer_create(
            party=PartyInput(
                given_name="Zoë", family_name="Brennan", contact_media=[_email("Zoe@Example.com")]
            ),
            actor=manager,
            check_duplicates=True,
            # Confirming is no way around a certain match.
            confirmed_distinct=[existing.pk],
        )

    assert found.value.exact is True
    assert existing.number in found.value.messages[0]
    assert Customer.objects.count() == customers


def test_an_unverified_shared_e_mail_is_only_a_probable_match(agent, manager):
    existing = CustomerFactory(
        actor=agent,
        given_name="Zoe",
        family_name="Brennan",
        contact_media=[_email("zoe@example.com", is_verified=False)],
    )

    with pytest.raises(DuplicateFound) as found:
        customer_create(
            party=PartyInput(
                given_name="Zoe", family_name="Brennan", contact_media=[_email("zoe@example.com")]
            ),
            actor=manager,
            check_duplicates=True,
        )

    assert found.value.exact is False
    assert [m.customer for m in found.value.matches] == [existing]


def test_create_goes_ahead_once_the_probable_match_is_confirmed_distinct(agent, manager):
    existing = CustomerFactory(
        actor=agent,
        given_name="Jonathan",
        family_name="Smith",
        birth_date=BIRTHDAY,
        contact_media=[_postal("10 Downing Street", "London", "SW1A 2AA")],
    )
    twin = PartyInput(
        given_name="Jonathon",
        family_name="Smith",
        birth_date=BIRTHDAY,
        contact_media=[_postal("10 Downing Street", "London", "SW1A 2AA")],
    )
    with pytest.raises(DuplicateFound) as found:
        customer_create(party=twin, actor=manager, check_duplicates=True)
    assert found.value.exact is False
    assert Customer.objects.count() == 1

    created = customer_create(
        party=twin, actor=manager, check_duplicates=True, confirmed_distinct=[existing.pk]
    )

    assert Customer.objects.count() == 2
    pair = DuplicateCandidate.objects.get()
    assert (pair.customer_low, pair.customer_high) == (existing, created)
    assert pair.status == DuplicateCandidate.Status.NOT_DUPLICATE
    assert pair.source == DuplicateCandidate.Source.CREATE
    assert pair.decided_by == manager
    assert pair.decided_at is not None
    assert pair.score >= 0.5
    assert "same date of birth" in pair.reasons


def test_a_merged_away_customer_is_never_offered_as_a_candidate(agent, manager):
    merged = CustomerFactory(
        actor=agent,
        given_name="Zoe",
        family_name="Brennan",
        birth_date=BIRTHDAY,
        contact_media=[_email("zoe@example.com")],
    )
    survivor = CustomerFactory(actor=agent, given_name="Zoe", family_name="Brennan-Holt")
    customers_merge(survivor=survivor, merged=merged, actor=manager)
    # Keys written for the old party anyway (a rebuild that raced the merge, say) must not
    # bring it back.
    identity_keys_refresh(party_ids=[merged.party_id])
    assert _keys(merged)
    newcomer = PartyInput(
        given_name="Zoe",
        family_name="Brennan",
        birth_date=BIRTHDAY,
        contact_media=[_email("zoe@example.com")],
    )

    assert _candidates(newcomer) == [survivor]
    with pytest.raises(DuplicateFound) as found:
        duplicates_check(newcomer)
    assert [m.customer for m in found.value.matches] == [survivor]


def test_a_key_rebuild_leaves_out_merged_away_customers(agent, manager):
    merged = CustomerFactory(
        actor=agent, given_name="Zoe", family_name="Brennan", birth_date=BIRTHDAY
    )
    survivor = CustomerFactory(actor=agent, given_name="Zoe", family_name="Brennan")
    customers_merge(survivor=survivor, merged=merged, actor=manager)
    IdentityKey.objects.all().delete()

    identity_keys_rebuild(batch_size=1)

    assert not _keys(merged)
    assert _keys(survivor)


def test_a_key_shared_by_more_parties_than_the_block_cap_is_skipped(agent, monkeypatch):
    # An office switchboard on three records, and two more Jane Does elsewhere: each key the
    # caller has is shared by three parties, and says nothing about identity once that is too many.
    switchboard = "+44 20 7946 0018"
    jane = CustomerFactory(
        actor=agent, given_name="Jane", family_name="Doe", contact_media=[_mobile(switchboard)]
    )
    for given, family in (("Kwame", "Mensah"), ("Ingrid", "Halvorsen")):
        CustomerFactory(
            actor=agent, given_name=given, family_name=family, contact_media=[_mobile(switchboard)]
        )
    for born in (date(1950, 1, 1), date(1990, 12, 31)):
        CustomerFactory(actor=agent, given_name="Jane", family_name="Doe", birth_date=born)
    caller = PartyInput(given_name="Jane", family_name="Doe", contact_media=[_mobile(switchboard)])
    for kind, value in blocking_keys(profile_from_input(caller)):
        assert IdentityKey.objects.filter(kind=kind, value=value).count() == 3

    monkeypatch.setattr(identity, "BLOCK_CAP", 3)
    assert _candidates(caller) == [jane]

    monkeypatch.setattr(identity, "BLOCK_CAP", 2)
    assert _candidates(caller) == []


@pytest.mark.parametrize("unknown_keys", [0, 120], ids=["one record", "a batch"])
def test_a_lookup_of_selective_keys_leaves_out_the_keys_over_the_block_cap(
    agent, monkeypatch, unknown_keys
):
    # Three parties share a switchboard, two of them a name too: with a cap of two, only the
    # name's holders are worth fetching. Unknown keys make the lookup a batch's when asked.
    switchboard = "+44 20 7946 0018"
    anna = CustomerFactory(
        actor=agent, given_name="Anna", family_name="Berg", contact_media=[_mobile(switchboard)]
    )
    anne = CustomerFactory(
        actor=agent, given_name="Anna", family_name="Berg", contact_media=[_mobile(switchboard)]
    )
    CustomerFactory(
        actor=agent, given_name="Kwame", family_name="Mensah", contact_media=[_mobile(switchboard)]
    )
    phone = ("phone", lookup_digest("+442079460018"))
    assert IdentityKey.objects.filter(kind=phone[0], value=phone[1]).count() == 3
    name = next(key for key in _keys(anna) if key[0] == "phonetic_name")
    unknown = {("name_dob", lookup_digest(f"nobody {n}")) for n in range(unknown_keys)}
    monkeypatch.setattr(identity, "BLOCK_CAP", 2)

    every_block = identity.key_members({phone, name} | unknown)
    selective = identity.key_members({phone, name} | unknown, selective_only=True)

    assert len(every_block[phone]) == 3
    assert sorted(selective[name]) == sorted([anna.party_id, anne.party_id])
    assert phone not in selective
    assert identity.parties_worth_comparing(
        {phone, name}, selective
    ) == identity.parties_worth_comparing({phone, name}, every_block)
