import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import (
    ActionLog,
    CommunicationPreferences,
    ContactMedium,
    Customer,
    LifecycleEvent,
    Party,
)
from customers.services import ContactMediumInput, PartyInput, customer_create
from customers.services.numbers import is_well_formed_customer_number
from tests.factories import CustomerFactory, PartnerFactory, PartyFactory, PartyInputFactory

pytestmark = pytest.mark.django_db

Kind = ContactMedium.Kind


def _nothing_was_written():
    return not (
        Party.objects.exists()
        or Customer.objects.exists()
        or CommunicationPreferences.objects.exists()
        or ContactMedium.objects.exists()
        or LifecycleEvent.objects.exists()
        or ActionLog.objects.exists()
    )


def test_create_makes_a_numbered_lead_with_its_party(agent):
    customer = customer_create(
        party=PartyInput(title="Dr", given_name=" Zoë ", family_name="O'Brien  "),
        actor=agent,
        lead_source="web_form",
    )

    customer.refresh_from_db()
    assert is_well_formed_customer_number(customer.number)
    assert customer.status == Customer.Status.LEAD
    assert customer.lead_source == "web_form"
    assert customer.valid_to is None
    assert customer.last_activity_at == customer.status_changed_at == customer.valid_from
    party = customer.party
    assert (party.given_name, party.family_name) == ("Zoë", "O'Brien")
    assert party.display_name == "Zoë O'Brien"
    assert party.name_key == "zoe obrien"
    assert party.family_name_key == "obrien"


def test_create_names_an_organisation_by_its_legal_and_trading_name(agent):
    customer = customer_create(
        party=PartyInput(
            kind=Party.Kind.ORGANIZATION,
            legal_name="Müller Logistik GmbH",
            trading_name="Müller Express",
            registration_number=" hrb 1234 ",
        ),
        actor=agent,
        segment=Customer.Segment.SMALL_BUSINESS,
    )

    party = customer.party
    assert party.display_name == "Müller Logistik GmbH (Müller Express)"
    assert party.name_key == "muller logistik gmbh muller express"
    assert party.family_name_key == "muller express"
    assert party.registration_number == "HRB 1234"
    assert customer.segment == Customer.Segment.SMALL_BUSINESS


def test_create_tidies_the_national_id_for_matching(agent):
    customer = customer_create(
        party=PartyInput(family_name="Lovelace", national_id=" ab 12 34 56 c "), actor=agent
    )

    assert customer.party.national_id == "AB123456C"


def test_create_gives_default_preferences_in_the_chosen_language(agent):
    customer = customer_create(party=PartyInputFactory(), actor=agent, language="fr")

    preferences = CommunicationPreferences.objects.get(customer=customer)
    assert preferences.language == "fr"
    assert preferences.preferred_channel == "email"


def test_create_stores_each_contact_medium_normalised(agent):
    customer = customer_create(
        party=PartyInputFactory(
            contact_media=[
                ContactMediumInput(kind=Kind.EMAIL, value=" Ada@Example.ORG ", is_preferred=True),
                ContactMediumInput(kind=Kind.MOBILE, value="07911 123456", label="personal"),
                ContactMediumInput(
                    kind=Kind.POSTAL,
                    street="1 Rue de Rivoli",
                    postcode="75001",
                    city="Paris",
                    country="fr",
                ),
            ]
        ),
        actor=agent,
    )

    media = {m.kind: m for m in ContactMedium.objects.filter(party=customer.party)}
    assert media[Kind.EMAIL].value == "ada@example.org"
    assert media[Kind.EMAIL].is_preferred
    assert media[Kind.MOBILE].value == "+447911123456"
    assert media[Kind.MOBILE].label == "personal"
    assert media[Kind.POSTAL].value == "1 Rue de Rivoli, 75001 Paris, FR"
    assert media[Kind.POSTAL].country == "FR"


def test_create_writes_the_first_history_row_and_one_action_log_entry(agent):
    customer = customer_create(party=PartyInputFactory(family_name="Hopper"), actor=agent)

    [event] = LifecycleEvent.objects.filter(customer=customer)
    assert (event.action, event.from_status, event.to_status) == ("create", "", "lead")
    assert event.actor == agent
    [entry] = ActionLog.objects.filter(customer=customer)
    assert entry.action == "customer.created"
    assert entry.actor == agent
    assert entry.actor_label == agent.username
    assert entry.data["number"] == customer.number
    assert entry.data["name"] == customer.party.display_name


def test_create_by_a_job_is_logged_under_the_job_name():
    customer = customer_create(party=PartyInputFactory(), actor="job:import")

    entry = ActionLog.objects.get(customer=customer)
    assert entry.actor is None
    assert entry.actor_label == "job:import"
    assert LifecycleEvent.objects.get(customer=customer).actor is None


def test_create_keeps_the_partner_and_account_manager(agent, manager):
    partner = PartnerFactory()

    customer = customer_create(
        party=PartyInputFactory(), actor=agent, partner=partner, account_manager=manager
    )

    customer.refresh_from_db()
    assert customer.partner == partner
    assert customer.account_manager == manager


def test_create_logs_contact_media_with_dates(agent):
    start = datetime.date(2024, 1, 1)

    customer = customer_create(
        party=PartyInputFactory(
            contact_media=[
                ContactMediumInput(kind=Kind.EMAIL, value="ada@example.org", valid_from=start)
            ]
        ),
        actor=agent,
    )

    entry = ActionLog.objects.get(customer=customer, action="customer.created")
    assert entry.data["contact_media"][0]["value"] == "ada@example.org"
    assert entry.data["contact_media"][0]["valid_from"] == "2024-01-01"
    assert ContactMedium.objects.get(party=customer.party).valid_from == start


@pytest.mark.parametrize(
    ("party", "field"),
    [
        pytest.param(PartyInput(given_name=" "), "family_name", id="person-without-any-name"),
        pytest.param(PartyInput(given_name="", family_name="   "), "family_name", id="blank-names"),
        pytest.param(
            PartyInput(kind=Party.Kind.ORGANIZATION, trading_name="Nameless"),
            "legal_name",
            id="organisation-without-legal-name",
        ),
        pytest.param(
            PartyInput(
                family_name="Future", birth_date=timezone.localdate() + datetime.timedelta(days=1)
            ),
            "birth_date",
            id="future-birth-date",
        ),
        pytest.param(PartyInput(kind="robot", family_name="Roy"), "kind", id="unknown-kind"),
        pytest.param(
            PartyInput(
                family_name="Lovelace",
                contact_media=[
                    ContactMediumInput(kind=Kind.PHONE, value="07911 123456"),
                    ContactMediumInput(kind=Kind.EMAIL, value="ada-at-example.org"),
                ],
            ),
            "value",
            id="invalid-email",
        ),
        pytest.param(
            PartyInput(
                family_name="Lovelace",
                contact_media=[ContactMediumInput(kind=Kind.MOBILE, value="12345")],
            ),
            "value",
            id="invalid-phone",
        ),
        pytest.param(
            PartyInput(
                family_name="Lovelace",
                contact_media=[ContactMediumInput(kind=Kind.POSTAL, city="Paris")],
            ),
            "street",
            id="postal-without-street",
        ),
        pytest.param(
            PartyInput(
                family_name="Lovelace",
                contact_media=[
                    ContactMediumInput(kind=Kind.EMAIL, value="ada@example.org"),
                    ContactMediumInput(kind=Kind.EMAIL, value="ADA@example.org"),
                ],
            ),
            "value",
            id="same-email-twice",
        ),
    ],
)
def test_create_refuses_bad_input_naming_the_field_and_leaves_nothing_behind(party, field):
    with pytest.raises(ValidationError) as refused:
        customer_create(party=party, actor="job:import")

    assert field in refused.value.message_dict
    assert _nothing_was_written()


def test_create_refuses_an_unknown_segment_and_leaves_nothing_behind(agent):
    with pytest.raises(ValidationError) as refused:
        customer_create(party=PartyInputFactory(), actor=agent, segment="galactic")

    assert "segment" in refused.value.message_dict
    assert _nothing_was_written()


def test_party_factory_fills_display_name_and_keys_like_the_service():
    person = PartyFactory(given_name="Zoë", family_name="O'Brien")
    company = PartyFactory(organisation=True, legal_name="Ørsted A/S")

    assert (person.display_name, person.name_key, person.family_name_key) == (
        "Zoë O'Brien",
        "zoe obrien",
        "obrien",
    )
    assert (company.display_name, company.name_key) == ("Ørsted A/S", "orsted as")


def test_customer_factory_organisation_trait_makes_a_business_lead():
    customer = CustomerFactory(organisation=True, legal_name="Acme Ltd")

    assert customer.party.kind == Party.Kind.ORGANIZATION
    assert customer.party.display_name == "Acme Ltd"
    assert customer.segment == Customer.Segment.SMALL_BUSINESS
    assert customer.status == Customer.Status.LEAD
