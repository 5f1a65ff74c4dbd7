"""Merging two customers who are one person: every row moves, the number lives on as an alias."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from crm.sealed import lookup_digest
from customers.identity.matching import Match
from customers.identity.models import DuplicateCandidate, IdentityKey
from customers.identity.services.identity import duplicate_pair_record
from customers.identity.services.merge import customers_merge, merge_conflicts, merge_outcome
from customers.models import (
    ActionLog,
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    CustomerAlias,
    CustomerRelationship,
    Interaction,
    Invoice,
    LifecycleEvent,
    Party,
    Payment,
    Subscription,
)
from customers.selectors import customer_get, customer_list
from customers.services import (
    TRANSITIONS,
    ContactMediumInput,
    consent_record,
    contact_medium_add,
    customer_transition,
    customer_update,
    interaction_record,
    invoice_record,
    payment_record,
    preferences_update,
    relationship_add,
    subscription_add,
)
from customers.services.audit import CustomerMerged
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    InvoiceFactory,
    PartnerFactory,
    ProductFactory,
    SubscriptionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Status = Customer.Status
Kind = ContactMedium.Kind
Link = CustomerRelationship.Kind
A_MATCH = Match(score=0.8, reasons=["same e-mail", "same name"], decision="probable")


@pytest.fixture
def survivor(agent):
    return CustomerFactory(
        actor=agent, status=Status.ACTIVE, given_name="Jonathan", family_name="Smith"
    )


@pytest.fixture
def merged(agent, survivor):
    # Created after the survivor, so a pair of the two stores the survivor as customer_low.
    return CustomerFactory(actor=agent, status=Status.ACTIVE, given_name="Jon", family_name="Smith")


@pytest.fixture
def third(agent):
    return CustomerFactory(actor=agent, given_name="Tariq", family_name="Third")


def _add(customer, actor, kind, value="", **fields):
    return contact_medium_add(
        customer=customer, medium=ContactMediumInput(kind=kind, value=value, **fields), actor=actor
    )


def _media(customer):
    return set(
        ContactMedium.objects.filter(party_id=customer.party_id).values_list(
            "kind", "value", "is_preferred"
        )
    )


def _links():
    return set(
        CustomerRelationship.objects.values_list("from_customer_id", "to_customer_id", "kind")
    )


def _rows_pointing_at(customer) -> dict[str, list[int]]:
    """Every row of every model that refers to the customer or to its party."""
    found = {}
    for owner, key in ((Customer, customer.pk), (Party, customer.party_id)):
        # Hidden relations too (related_name="+"): the duplicate pairs are declared that way.
        relations = [
            field
            for field in owner._meta.get_fields(include_hidden=True)
            if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one)
        ]
        for relation in relations:
            model, name = relation.related_model, relation.field.name
            if model is Customer and owner is Party:
                continue
            pks = sorted(model._base_manager.filter(**{name: key}).values_list("pk", flat=True))
            if pks:
                found[f"{model.__name__}.{name}"] = pks
    return found


def _footprint(*customers):
    """Everything a failed or refused merge must leave exactly as it was."""
    return {
        customer.pk: {
            "customer": Customer.objects.values().get(pk=customer.pk),
            "party": Party.objects.values().get(pk=customer.party_id),
            "rows": _rows_pointing_at(customer),
            "identity_keys": sorted(
                IdentityKey.objects.filter(party_id=customer.party_id).values_list("kind", "value")
            ),
        }
        for customer in customers
    }


def _give_a_full_history(customer, actor, other, product):
    """One row of every kind a customer can have, and links and a pair with ``other``."""
    _add(customer, actor, Kind.EMAIL, "jon@example.com", is_preferred=True)
    consent_record(
        customer=customer,
        channel=Consent.Channel.EMAIL,
        purpose=Consent.Purpose.MARKETING,
        granted=True,
        source=Consent.Source.WEB,
        actor=actor,
    )
    preferences_update(customer=customer, actor=actor, language="fr")
    interaction_record(
        customer=customer,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.INBOUND,
        kind=Interaction.Kind.BILLING,
        summary="Asked about the last bill",
        actor=actor,
    )
    subscription_add(customer=customer, product=product, start_date=date(2024, 1, 1), actor=actor)
    invoice = invoice_record(
        customer=customer,
        number=f"INV-{customer.number}",
        period_start=date(2024, 1, 1),
        issued_on=date(2024, 2, 1),
        due_on=date(2024, 2, 15),
        amount=Decimal("30.00"),
        actor=actor,
    )
    payment_record(
        customer=customer,
        amount=Decimal("30.00"),
        received_on=date(2024, 2, 10),
        method="card",
        reference=f"PAY-{customer.number}",
        invoice=invoice,
        actor=actor,
    )
    relationship_add(from_customer=customer, to_customer=other, kind=Link.HOUSEHOLD, actor=actor)
    relationship_add(from_customer=other, to_customer=customer, kind=Link.REFERRED_BY, actor=actor)
    duplicate_pair_record(first=customer, second=other, match=A_MATCH, source="scan")


# --- Every kind of row moves ------------------------------------------------------------------


def test_merge_moves_contact_media_dropping_copies_and_keeping_the_survivors_preferred(
    survivor, merged, agent, manager
):
    _add(survivor, agent, Kind.EMAIL, "jon@example.com", is_preferred=True)
    _add(merged, agent, Kind.EMAIL, "JON@example.com")
    _add(merged, agent, Kind.EMAIL, "jonny@example.com", is_preferred=True)
    _add(merged, agent, Kind.MOBILE, "07911 123456", is_preferred=True)
    _add(merged, agent, Kind.POSTAL, street="10 Downing Street", city="London", postcode="SW1A 2AA")

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    assert _media(survivor) == {
        (Kind.EMAIL, "jon@example.com", True),
        (Kind.EMAIL, "jonny@example.com", False),
        # The survivor had no preferred mobile: the merged customer's stays preferred.
        (Kind.MOBILE, "+447911123456", True),
        (Kind.POSTAL, "10 Downing Street, SW1A 2AA London", False),
    }
    assert _media(merged) == set()
    keys = set(IdentityKey.objects.filter(party=survivor.party).values_list("kind", "value"))
    assert {
        ("email", lookup_digest("jonny@example.com")),
        ("phone", lookup_digest("+447911123456")),
    } <= keys
    assert not IdentityKey.objects.filter(party=merged.party).exists()


def test_merge_keeps_the_most_recent_consent_per_channel_and_purpose(
    survivor, merged, agent, manager
):
    now = timezone.now()

    def consent(customer, channel, purpose, granted, days_ago):
        recorded = consent_record(
            customer=customer,
            channel=channel,
            purpose=purpose,
            granted=granted,
            source=Consent.Source.WEB,
            actor=agent,
        )
        Consent.objects.filter(pk=recorded.pk).update(recorded_at=now - timedelta(days=days_ago))
        return recorded

    Channel, Purpose = Consent.Channel, Consent.Purpose
    consent(survivor, Channel.EMAIL, Purpose.MARKETING, True, days_ago=30)
    newer_on_merged = consent(merged, Channel.EMAIL, Purpose.MARKETING, False, days_ago=2)
    newer_on_survivor = consent(survivor, Channel.SMS, Purpose.MARKETING, False, days_ago=1)
    consent(merged, Channel.SMS, Purpose.MARKETING, True, days_ago=10)
    only_on_merged = consent(merged, Channel.POST, Purpose.SURVEYS, True, days_ago=5)

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    answers = {
        (c.channel, c.purpose): (c.pk, c.granted) for c in Consent.objects.filter(customer=survivor)
    }
    assert answers == {
        (Channel.EMAIL, Purpose.MARKETING): (newer_on_merged.pk, False),
        (Channel.SMS, Purpose.MARKETING): (newer_on_survivor.pk, False),
        (Channel.POST, Purpose.SURVEYS): (only_on_merged.pk, True),
    }
    assert not Consent.objects.filter(customer=merged).exists()


def test_merge_keeps_the_survivors_communication_preferences(survivor, merged, agent, manager):
    preferences_update(customer=survivor, actor=agent, language="de", itemised_statement=True)
    preferences_update(customer=merged, actor=agent, language="fr", contact_on_weekends=True)

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    kept = CommunicationPreferences.objects.get(customer=survivor)
    assert (kept.language, kept.itemised_statement, kept.contact_on_weekends) == ("de", True, False)
    assert not CommunicationPreferences.objects.filter(customer=merged).exists()


def test_merge_moves_interactions_to_survivor(survivor, merged, agent, manager):
    own = InteractionFactory(customer=survivor, actor=agent)
    moved = {InteractionFactory(customer=merged, actor=agent).pk for _ in range(2)}

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    on_survivor = set(Interaction.objects.filter(customer=survivor).values_list("pk", flat=True))
    assert on_survivor == moved | {own.pk}
    assert not Interaction.objects.filter(customer=merged).exists()


def test_merge_moves_subscriptions_to_survivor(survivor, merged, agent, manager):
    subscription = SubscriptionFactory(customer=merged, monthly_charge=Decimal("19.99"))

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    subscription.refresh_from_db()
    assert subscription.customer == survivor
    assert (subscription.status, subscription.monthly_charge) == (
        Subscription.Status.ACTIVE,
        Decimal("19.99"),
    )
    assert not Subscription.objects.filter(customer=merged).exists()


def test_merge_moves_invoices_to_survivor(survivor, merged, manager):
    invoice = InvoiceFactory(customer=merged, amount=Decimal("55.00"))

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    invoice.refresh_from_db()
    assert invoice.customer == survivor
    assert not Invoice.objects.filter(customer=merged).exists()


def test_merge_moves_payments_with_their_invoice(survivor, merged, agent, manager):
    invoice = InvoiceFactory(customer=merged, amount=Decimal("40.00"))
    payment = payment_record(
        customer=merged,
        amount=Decimal("40.00"),
        received_on=invoice.issued_on,
        method="bank_transfer",
        reference="PAY-0001",
        invoice=invoice,
        actor=agent,
    )

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    payment.refresh_from_db()
    assert (payment.customer, payment.invoice) == (survivor, invoice)
    assert Invoice.objects.get(pk=invoice.pk).customer == survivor
    assert not Payment.objects.filter(customer=merged).exists()


def test_merge_moves_relationships_without_self_links_or_doubles(
    survivor, merged, third, agent, manager
):
    fourth = CustomerFactory(actor=agent, given_name="Una", family_name="Fourth")

    def link(source, target, kind):
        relationship_add(from_customer=source, to_customer=target, kind=kind, actor=agent)

    link(merged, survivor, Link.HOUSEHOLD)  # between the two: would become a self-link
    link(survivor, merged, Link.REFERRED_BY)  # likewise
    link(merged, third, Link.REFERRED_BY)  # to a third party: moves
    link(third, merged, Link.HOUSEHOLD)  # from a third party: moves
    link(merged, fourth, Link.HOUSEHOLD)  # the survivor has it already: not doubled
    link(survivor, fourth, Link.HOUSEHOLD)

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    assert _links() == {
        (survivor.pk, third.pk, Link.REFERRED_BY),
        (third.pk, survivor.pk, Link.HOUSEHOLD),
        (survivor.pk, fourth.pk, Link.HOUSEHOLD),
    }


def test_merge_moves_the_lifecycle_history_to_survivor(survivor, merged, manager):
    history = set(LifecycleEvent.objects.filter(customer=merged).values_list("pk", flat=True))
    assert {"create", "establish"} <= set(
        LifecycleEvent.objects.filter(customer=merged).values_list("action", flat=True)
    )

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    on_survivor = set(LifecycleEvent.objects.filter(customer=survivor).values_list("pk", flat=True))
    assert history <= on_survivor
    assert list(
        LifecycleEvent.objects.filter(customer=merged).values_list("action", flat=True)
    ) == ["merge"]


def test_merge_moves_the_action_log_to_survivor(survivor, merged, agent, manager):
    _add(merged, agent, Kind.EMAIL, "jon@example.com")
    history = set(ActionLog.objects.filter(customer=merged).values_list("pk", flat=True))
    assert len(history) >= 3  # created, established, contact added

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    on_survivor = set(ActionLog.objects.filter(customer=survivor).values_list("pk", flat=True))
    assert history <= on_survivor
    assert list(ActionLog.objects.filter(customer=merged).values_list("action", flat=True)) == [
        "customer.merged_away"
    ]


def test_merge_settles_the_duplicate_candidates_of_the_merged_customer(
    survivor, merged, third, manager
):
    the_pair = duplicate_pair_record(first=merged, second=survivor, match=A_MATCH, source="scan")
    moot = duplicate_pair_record(first=merged, second=third, match=A_MATCH, source="scan")
    unrelated = duplicate_pair_record(first=survivor, second=third, match=A_MATCH, source="scan")

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    the_pair.refresh_from_db()
    assert (the_pair.customer_low, the_pair.customer_high) == (survivor, merged)
    assert the_pair.status == DuplicateCandidate.Status.MERGED
    assert the_pair.decided_by == manager
    assert the_pair.decided_at is not None
    assert not DuplicateCandidate.objects.filter(pk=moot.pk).exists()
    unrelated.refresh_from_db()
    assert unrelated.status == DuplicateCandidate.Status.OPEN


def test_after_a_merge_only_the_merge_record_still_points_at_the_merged_customer(
    survivor, merged, third, agent, manager
):
    _give_a_full_history(merged, agent, third, ProductFactory())
    the_pair = duplicate_pair_record(first=survivor, second=merged, match=A_MATCH, source="scan")

    customers_merge(survivor=survivor, merged=merged, actor=manager)

    merge_event = LifecycleEvent.objects.get(customer=merged)
    merged_away = ActionLog.objects.get(customer=merged)
    assert _rows_pointing_at(merged) == {
        "LifecycleEvent.customer": [merge_event.pk],
        "ActionLog.customer": [merged_away.pk],
        "DuplicateCandidate.customer_high": [the_pair.pk],
    }
    rows = _rows_pointing_at(survivor)
    for kind in (
        "ContactMedium.party",
        "Consent.customer",
        "CommunicationPreferences.customer",
        "Interaction.customer",
        "Subscription.customer",
        "Invoice.customer",
        "Payment.customer",
        "CustomerRelationship.from_customer",
        "CustomerRelationship.to_customer",
    ):
        assert kind in rows, kind


# --- The number lives on ----------------------------------------------------------------------


def test_the_merged_number_resolves_to_the_survivor(survivor, merged, manager):
    customers_merge(survivor=survivor, merged=merged, actor=manager)

    alias = CustomerAlias.objects.get(number=merged.number)
    assert alias.customer == survivor
    assert customer_get(number=merged.number) == survivor
    assert customer_get(number=f" {merged.number.lower()} ") == survivor
    assert customer_list(q=merged.number).rows == [survivor]


def test_an_alias_of_an_alias_resolves_to_the_last_survivor(survivor, merged, agent, manager):
    final = CustomerFactory(actor=agent, given_name="Jonathan", family_name="Smith-Jones")

    customers_merge(survivor=survivor, merged=merged, actor=manager)
    customers_merge(survivor=final, merged=survivor, actor=manager)

    for number in (merged.number, survivor.number):
        assert CustomerAlias.objects.get(number=number).customer == final
        assert customer_get(number=number) == final
        assert customer_list(q=number).rows == [final]


# --- Field conflicts --------------------------------------------------------------------------


@pytest.fixture
def conflicting(agent):
    kept = CustomerFactory(
        actor=agent,
        title="Mr",
        given_name="Jonathan",
        family_name="Smith",
        lead_source="web_form",
    )
    other = CustomerFactory(
        actor=agent,
        title="Dr",
        given_name="Jon",
        family_name="Smith",
        birth_date=date(1980, 5, 17),
        national_id="AB123456C",
        lead_source="shop",
        segment=Customer.Segment.SMALL_BUSINESS,
    )
    other = customer_update(customer=other, actor=agent, payment_method="card")
    return kept, other


def test_merge_conflicts_lists_the_fields_where_both_hold_different_values(conflicting):
    kept, other = conflicting

    conflicts = {
        c["field"]: (c["survivor"], c["merged"])
        for c in merge_conflicts(survivor=kept, merged=other)
    }

    assert conflicts == {
        "title": ("Mr", "Dr"),
        "given_name": ("Jonathan", "Jon"),
        "segment": (Customer.Segment.RESIDENTIAL, Customer.Segment.SMALL_BUSINESS),
        "lead_source": ("web_form", "shop"),
    }


def test_merge_conflicts_name_each_field_by_its_label_and_show_values_as_pages_do(
    conflicting, agent, manager
):
    kept, other = conflicting
    Customer.objects.filter(pk=kept.pk).update(
        payment_method=Customer.PaymentMethod.DIRECT_DEBIT, account_manager=agent
    )
    Customer.objects.filter(pk=other.pk).update(account_manager=manager)
    Party.objects.filter(pk=kept.party_id).update(birth_date=date(1973, 8, 5))
    kept = Customer.objects.select_related("party").get(pk=kept.pk)
    other = Customer.objects.select_related("party").get(pk=other.pk)

    conflicts = {
        c["field"]: (c["label"], c["survivor_shown"], c["merged_shown"])
        for c in merge_conflicts(survivor=kept, merged=other)
    }

    assert conflicts["birth_date"] == ("Birth date", "1973-08-05", "1980-05-17")
    assert conflicts["payment_method"] == ("Payment method", "Direct debit", "Credit card")
    assert conflicts["segment"] == ("Segment", "Residential", "Small business")
    assert conflicts["account_manager_id"] == ("Account manager", agent.username, manager.username)
    assert conflicts["given_name"] == ("Given name", "Jonathan", "Jon")


def test_merge_outcome_tells_what_the_survivor_keeps_and_drops_and_writes_nothing(
    conflicting, manager
):
    kept, other = conflicting

    outcome = {
        row["label"]: (row["result"], row["dropped"], row["taken"])
        for row in merge_outcome(survivor=kept, merged=other, take_from_merged={"segment"})
    }

    assert outcome == {
        "Title": ("Mr", "Dr", False),
        "Given name": ("Jonathan", "Jon", False),
        "Birth date": ("1980-05-17", "—", True),
        "National id": ("AB123456C", "—", True),
        "Segment": ("Small business", "Residential", True),
        "Payment method": ("Credit card", "—", True),
        "Lead source": ("web_form", "shop", False),
    }
    assert Customer.objects.get(pk=kept.pk).segment == Customer.Segment.RESIDENTIAL
    assert Customer.objects.get(pk=other.pk).merged_into is None
    # The merge does what the outcome said.
    result = customers_merge(
        survivor=kept, merged=other, actor=manager, take_from_merged={"segment"}
    )
    assert (result.party.birth_date, result.segment, result.lead_source) == (
        date(1980, 5, 17),
        Customer.Segment.SMALL_BUSINESS,
        "web_form",
    )


def test_merge_outcome_refuses_an_unknown_field(conflicting):
    kept, other = conflicting

    with pytest.raises(ValidationError, match="Unknown fields to take over: status"):
        merge_outcome(survivor=kept, merged=other, take_from_merged={"status"})


def test_a_conflict_keeps_the_survivors_value_and_empty_fields_are_filled(conflicting, manager):
    kept, other = conflicting

    result = customers_merge(survivor=kept, merged=other, actor=manager)

    party = result.party
    assert (party.title, party.given_name, party.display_name) == (
        "Mr",
        "Jonathan",
        "Jonathan Smith",
    )
    assert (result.segment, result.lead_source) == (Customer.Segment.RESIDENTIAL, "web_form")
    # Empty on the survivor: filled from the merged customer.
    assert (party.birth_date, party.national_id) == (date(1980, 5, 17), "AB123456C")
    assert result.payment_method == Customer.PaymentMethod.CARD
    stored = Customer.objects.select_related("party").get(pk=kept.pk)
    assert (stored.party.birth_date, stored.payment_method) == (date(1980, 5, 17), "card")
    assert ("nid", lookup_digest("AB123456C")) in set(
        IdentityKey.objects.filter(party=party).values_list("kind", "value")
    )


def test_a_conflict_takes_the_merged_value_when_asked(conflicting, manager):
    kept, other = conflicting

    result = customers_merge(
        survivor=kept, merged=other, actor=manager, take_from_merged={"given_name", "segment"}
    )

    stored = Customer.objects.select_related("party").get(pk=kept.pk)
    assert stored.party.given_name == result.party.given_name == "Jon"
    assert (stored.party.display_name, stored.party.name_key) == ("Jon Smith", "jon smith")
    assert stored.segment == Customer.Segment.SMALL_BUSINESS
    assert stored.party.title == "Mr"  # not asked for: the survivor's stays
    log = ActionLog.objects.get(customer=kept, action="customer.merged")
    assert log.data["fields_taken_from_merged"] == [
        "birth_date",
        "given_name",
        "national_id",
        "payment_method",
        "segment",
    ]


def test_the_survivor_keeps_the_earliest_start_and_takes_over_an_import_reference(agent, manager):
    older = CustomerFactory(
        actor=agent, given_name="Jon", family_name="Smith", external_ref="legacy-4711"
    )
    Customer.objects.filter(pk=older.pk).update(valid_from=timezone.now() - timedelta(days=900))
    older.refresh_from_db()
    newer = CustomerFactory(actor=agent, given_name="Jonathan", family_name="Smith")

    customers_merge(survivor=newer, merged=older, actor=manager)

    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.valid_from == older.valid_from
    assert (newer.external_ref, older.external_ref) == ("legacy-4711", None)
    assert newer.last_activity_at > older.valid_from


def test_an_empty_account_manager_is_filled_from_the_merged_customer(agent, manager):
    kept = CustomerFactory(actor=agent, given_name="Jonathan", family_name="Smith")
    other = CustomerFactory(
        actor=agent, given_name="Jon", family_name="Smith", account_manager=manager
    )

    result = customers_merge(survivor=kept, merged=other, actor=manager)

    assert result.account_manager == manager


# --- The merged customer ----------------------------------------------------------------------


def test_the_merged_customer_is_marked_merged_with_history_on_both_sides(survivor, merged, manager):
    before = timezone.now()

    result = customers_merge(survivor=survivor, merged=merged, actor=manager)

    assert result == survivor
    merged.refresh_from_db()
    assert merged.status == Status.MERGED
    assert merged.merged_into == survivor
    assert merged.status_reason == "duplicate"
    assert merged.valid_to >= before
    event = LifecycleEvent.objects.get(customer=merged)
    assert (event.action, event.from_status, event.to_status) == ("merge", Status.ACTIVE, "merged")
    assert (event.actor, event.note) == (manager, f"Merged into {survivor.number}")
    merged_log = ActionLog.objects.get(customer=survivor, action="customer.merged")
    away_log = ActionLog.objects.get(customer=merged, action="customer.merged_away")
    for entry in (merged_log, away_log):
        assert entry.actor == manager
        assert (entry.data["survivor"], entry.data["merged"]) == (survivor.number, merged.number)
    survivor.refresh_from_db()
    assert survivor.status == Status.ACTIVE
    assert survivor.merged_into is None


def _refusals():
    """Every way to change a customer, each as a function of (customer, other, actor)."""

    def transition(action):
        return lambda c, other, actor: customer_transition(
            customer=c, action=action, actor=actor, reason=TRANSITIONS[action].reasons[0][0]
        )

    edits = {
        "customer_update": lambda c, other, actor: customer_update(
            customer=c, actor=actor, family_name="Changed"
        ),
        "contact_medium_add": lambda c, other, actor: _add(c, actor, Kind.EMAIL, "x@example.com"),
        "consent_record": lambda c, other, actor: consent_record(
            customer=c,
            channel=Consent.Channel.SMS,
            purpose=Consent.Purpose.MARKETING,
            granted=True,
            source=Consent.Source.STORE,
            actor=actor,
        ),
        "preferences_update": lambda c, other, actor: preferences_update(
            customer=c, actor=actor, language="nl"
        ),
        "interaction_record": lambda c, other, actor: interaction_record(
            customer=c,
            channel=Interaction.Channel.STORE,
            direction=Interaction.Direction.INBOUND,
            kind=Interaction.Kind.SALES,
            summary="Walked in",
            actor=actor,
        ),
        "subscription_add": lambda c, other, actor: subscription_add(
            customer=c, product=ProductFactory(), start_date=date(2024, 1, 1), actor=actor
        ),
        "invoice_record": lambda c, other, actor: invoice_record(
            customer=c,
            number="INV-LATE",
            period_start=date(2024, 1, 1),
            issued_on=date(2024, 2, 1),
            due_on=date(2024, 2, 15),
            amount=Decimal("10.00"),
            actor=actor,
        ),
        "payment_record": lambda c, other, actor: payment_record(
            customer=c,
            amount=Decimal("10.00"),
            received_on=date(2024, 2, 1),
            method="cash",
            reference="PAY-LATE",
            actor=actor,
        ),
        "relationship_add": lambda c, other, actor: relationship_add(
            from_customer=c, to_customer=other, kind=Link.HOUSEHOLD, actor=actor
        ),
        "merge_into_another": lambda c, other, actor: customers_merge(
            survivor=other, merged=c, actor=actor
        ),
        "merge_another_into_it": lambda c, other, actor: customers_merge(
            survivor=c, merged=other, actor=actor
        ),
    }
    edits.update({f"transition_{action}": transition(action) for action in TRANSITIONS})
    return [pytest.param(edit, id=name) for name, edit in edits.items()]


@pytest.mark.parametrize("edit", _refusals())
def test_a_merged_away_customer_can_never_be_edited_again(survivor, merged, third, manager, edit):
    # A page opened before the merge still holds the old, unmerged copy.
    stale_copy = Customer.objects.get(pk=merged.pk)
    customers_merge(survivor=survivor, merged=merged, actor=manager)
    before = _footprint(merged, survivor, third)

    with pytest.raises(ValidationError) as refused:
        edit(stale_copy, third, manager)

    assert "merged" in refused.value.messages[0]
    assert _footprint(merged, survivor, third) == before


def test_an_edit_of_a_merged_customer_names_the_survivor(survivor, merged, agent, manager):
    customers_merge(survivor=survivor, merged=merged, actor=manager)

    with pytest.raises(CustomerMerged) as refused:
        _add(merged, agent, Kind.EMAIL, "x@example.com")

    assert refused.value.messages == [
        f"Customer {merged.number} was merged into {survivor.number}; make changes there."
    ]


def test_a_customer_cannot_be_merged_into_itself(survivor, manager):
    before = _footprint(survivor)

    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        customers_merge(
            survivor=survivor, merged=Customer.objects.get(pk=survivor.pk), actor=manager
        )

    assert _footprint(survivor) == before
    assert not CustomerAlias.objects.exists()


# --- All or nothing ---------------------------------------------------------------------------


def test_an_unknown_field_to_take_over_is_refused_before_anything_moves(
    survivor, merged, third, agent, manager
):
    _give_a_full_history(merged, agent, third, ProductFactory())
    before = _footprint(survivor, merged, third)

    with pytest.raises(ValidationError, match="Unknown fields to take over: shoe_size"):
        customers_merge(
            survivor=survivor, merged=merged, actor=manager, take_from_merged={"shoe_size"}
        )

    assert _footprint(survivor, merged, third) == before
    assert not CustomerAlias.objects.exists()


def test_a_merge_that_fails_after_moving_rows_leaves_nothing_moved(survivor, third, agent, manager):
    # Taking an organisation's (empty) person names leaves the survivor nameless, which is only
    # found out once every row has moved: all of it must roll back.
    company = CustomerFactory(actor=agent, organisation=True, legal_name="Smith Consulting Ltd")
    _give_a_full_history(company, agent, third, ProductFactory())
    before = _footprint(survivor, company, third)

    with pytest.raises(ValidationError) as refused:
        customers_merge(
            survivor=survivor,
            merged=company,
            actor=manager,
            take_from_merged={"given_name", "family_name"},
        )

    assert "name" in " ".join(refused.value.messages)
    assert _footprint(survivor, company, third) == before
    assert not CustomerAlias.objects.exists()
    assert Customer.objects.get(pk=company.pk).status == Status.LEAD


# --- A merge racing an edit -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(4))
def test_a_contact_added_during_a_merge_ends_on_the_survivor_or_is_refused(attempt):
    manager, agent = UserFactory(username="margaret"), UserFactory(username="alice")
    survivor = CustomerFactory(given_name="Jonathan", family_name="Smith")
    merged = CustomerFactory(given_name="Jon", family_name="Smith")
    barrier = threading.Barrier(2)
    outcomes = {}

    def run(name, work):
        try:
            barrier.wait(timeout=10)
            outcomes[name] = work()
        except Exception as error:  # the test inspects whatever happened, not just refusals
            outcomes[name] = error
        finally:
            # A thread's connection is its own; left open it would block the test database flush.
            connection.close()

    threads = [
        threading.Thread(
            target=run,
            args=(
                "merge",
                lambda: customers_merge(survivor=survivor, merged=merged, actor=manager),
            ),
        ),
        threading.Thread(
            target=run, args=("add", lambda: _add(merged, agent, Kind.EMAIL, "jon@example.com"))
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"

    assert isinstance(outcomes["merge"], Customer), outcomes
    added = outcomes["add"]
    assert isinstance(added, ContactMedium | CustomerMerged), outcomes
    assert not ContactMedium.objects.filter(party_id=merged.party_id).exists()
    on_survivor = ContactMedium.objects.filter(party_id=survivor.party_id, value="jon@example.com")
    if isinstance(added, ContactMedium):
        # Added first, then moved with everything else.
        assert list(on_survivor.values_list("pk", flat=True)) == [added.pk]
        assert IdentityKey.objects.filter(
            party_id=survivor.party_id, kind="email", value=lookup_digest("jon@example.com")
        ).exists()
        assert ActionLog.objects.filter(customer=survivor, action="contact_medium.added").exists()
    else:
        assert survivor.number in added.messages[0]
        assert not on_survivor.exists()
        assert not ActionLog.objects.filter(action="contact_medium.added").exists()
    assert not IdentityKey.objects.filter(party_id=merged.party_id).exists()


def test_customers_of_different_partners_are_never_merged():
    first = CustomerFactory(partner=PartnerFactory(), family_name="Same")
    second = CustomerFactory(partner=PartnerFactory(), family_name="Same")

    with pytest.raises(ValidationError, match="different partners"):
        customers_merge(survivor=first, merged=second, actor=None)
    second.refresh_from_db()
    assert second.merged_into_id is None


def test_customers_billed_in_different_currencies_are_never_merged():
    first = CustomerFactory(family_name="Same")
    second = CustomerFactory(family_name="Same")
    Customer.objects.filter(pk=second.pk).update(currency="GBP")

    with pytest.raises(ValidationError, match=r"different currencies \(EUR and GBP\)"):
        customers_merge(survivor=first, merged=second, actor=None)
    second.refresh_from_db()
    assert second.merged_into_id is None
