"""Every change the customer timeline shows reads as a sentence: products by name with their
charge and contract, billing, relationships, merges and imports in words, never as the stored
fields, codes or row ids."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from customers.identity.matching import Match
from customers.identity.models import ImportJob
from customers.identity.services.identity import duplicate_pair_record
from customers.identity.services.imports import import_job_create, import_job_run
from customers.identity.services.merge import customers_merge, duplicate_mark_distinct
from customers.models import Customer, CustomerRelationship
from customers.selectors import customer_timeline
from customers.services import (
    action_log_record,
    payment_record,
    relationship_add,
    relationship_remove,
    subscription_add,
    subscription_change,
    subscription_end,
)
from tests.factories import CustomerFactory, InvoiceFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _details(customer) -> dict[str, str]:
    return {e.title: e.detail for e in customer_timeline(customer=customer) if e.kind == "action"}


def _fibre():
    return ProductFactory(code="FIB-500", name="Fibre 500", list_price=Decimal("35.00"))


def _add_fibre(customer, agent, **options):
    return subscription_add(
        customer=customer,
        product=_fibre(),
        start_date=options.pop("start_date", timezone.localdate()),
        contract_term_months=options.pop("contract_term_months", 12),
        actor=agent,
        **options,
    )


def test_a_product_added_reads_with_its_name_charge_and_contract(agent, active_customer):
    _add_fibre(active_customer, agent)

    assert (
        _details(active_customer)["Product added"] == "Fibre 500, €35.00 a month, 12-month contract"
    )


def test_a_product_added_to_start_later_says_from_when(agent, active_customer):
    starts = timezone.localdate() + datetime.timedelta(days=10)
    _add_fibre(active_customer, agent, start_date=starts, contract_term_months=0)

    assert _details(active_customer)["Product added"] == (
        f"Fibre 500, €35.00 a month, month-to-month, from {starts:%Y-%m-%d}"
    )


def test_a_product_added_tells_the_charge_in_the_customers_currency(agent):
    customer = CustomerFactory(actor=agent, status=Customer.Status.ACTIVE, currency="GBP")
    _add_fibre(customer, agent, monthly_charge=Decimal("1250.00"))

    assert _details(customer)["Product added"] == (
        "Fibre 500, £1,250.00 a month, 12-month contract"
    )


def test_a_product_changed_names_what_changed_from_and_to(agent, active_customer):
    subscription = _add_fibre(active_customer, agent)

    subscription_change(
        subscription=subscription,
        actor=agent,
        monthly_charge=Decimal("30.00"),
        contract_term_months=24,
        service_id="LINE-77",
    )

    assert _details(active_customer)["Product changed"] == (
        "Fibre 500, monthly charge €35.00 → €30.00, contract 12 months → 24 months, "
        "service id — → LINE-77"
    )


def test_a_product_ended_inside_its_minimum_term_says_so(agent, active_customer):
    today = timezone.localdate()
    subscription = _add_fibre(
        active_customer, agent, start_date=today - datetime.timedelta(days=60)
    )

    subscription_end(subscription=subscription, actor=agent, end_date=today)

    assert _details(active_customer)["Product ended"] == (
        f"Fibre 500 on {today:%Y-%m-%d} (inside its minimum term)"
    )


def test_a_product_ended_after_its_minimum_term_is_just_ended(agent, active_customer):
    today = timezone.localdate()
    subscription = _add_fibre(
        active_customer, agent, start_date=today - datetime.timedelta(days=800)
    )

    subscription_end(subscription=subscription, actor=agent, end_date=today)

    assert _details(active_customer)["Product ended"] == f"Fibre 500 on {today:%Y-%m-%d}"


def test_invoices_and_payments_read_as_sentences(agent, active_customer):
    due = timezone.localdate() + datetime.timedelta(days=14)
    invoice = InvoiceFactory(
        customer=active_customer, number="INV-77", amount=Decimal("42.00"), due_on=due
    )
    payment_record(
        customer=active_customer,
        invoice=invoice,
        amount=Decimal("42.00"),
        received_on=timezone.localdate(),
        method="card",
        reference="PAY-9",
        actor=agent,
    )

    details = _details(active_customer)

    assert details["Invoice recorded"] == f"INV-77 for €42.00, due {due:%Y-%m-%d}"
    assert details["Payment recorded"] == "€42.00 for invoice INV-77, reference PAY-9"


def test_a_relationship_reads_as_its_label_and_the_other_customers_number(agent, lead):
    housemate = CustomerFactory(actor=agent, family_name="Housemate")
    relationship = relationship_add(
        from_customer=lead, to_customer=housemate, kind="household", actor=agent
    )
    relationship_remove(
        relationship=CustomerRelationship.objects.get(pk=relationship.pk), actor=agent
    )

    details = _details(lead)

    assert details["Relationship added"] == f"Same household as {housemate.number}"
    assert details["Relationship removed"] == f"Same household as {housemate.number}"


def test_a_merge_tells_both_customers_what_happened(agent):
    survivor = CustomerFactory(actor=agent, family_name="Survivor")
    merged = CustomerFactory(actor=agent, family_name="Twin", segment="small_business")

    customers_merge(survivor=survivor, merged=merged, actor=agent, take_from_merged={"segment"})

    merged_in = _details(survivor)["Duplicate merged in"]
    assert merged_in.startswith(
        f"{merged.number} merged into this customer; taken from it: Segment"
    )
    assert "_" not in merged_in
    assert _details(merged)["Merged into another customer"] == f"Merged into {survivor.number}"


def test_a_pair_marked_distinct_says_they_are_different_customers(agent):
    first = CustomerFactory(actor=agent, family_name="First")
    second = CustomerFactory(actor=agent, family_name="Second")
    candidate = duplicate_pair_record(
        first=first,
        second=second,
        match=Match(score=0.7, reasons=["same postcode"], decision="probable"),
        source="scan",
    )

    duplicate_mark_distinct(candidate=candidate, actor=agent)

    low, high = sorted((first, second), key=lambda c: c.pk)
    assert _details(first)["Not a duplicate"] == (
        f"{low.number} and {high.number} are different customers"
    )


def test_an_imported_customer_names_the_file_and_row_not_the_job_id(agent):
    job = import_job_create(
        kind=ImportJob.Kind.CUSTOMERS,
        file=ContentFile(b"external_ref,family_name\nX1,Imported\n", name="people.csv"),
        actor=agent,
    )
    import_job_run(job_id=job.pk)
    customer = Customer.objects.get(party__family_name="Imported")

    assert _details(customer)["Customer imported"] == ("Row 2 of people.csv, external reference X1")


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (
            {"partner": "Northwind Mobile", "previous": "Alpine Connect"},
            "Alpine Connect → Northwind Mobile",
        ),
        ({"partner": "Northwind Mobile", "previous": None}, "Now served by Northwind Mobile"),
        ({"partner": None, "previous": "Alpine Connect"}, "No longer served by Alpine Connect"),
        ({"partner": "Northwind Mobile"}, "Now served by Northwind Mobile"),  # older entries
    ],
)
def test_a_partner_change_names_the_partners(agent, active_customer, data, said):
    # What a change of the owning partner logs.
    action_log_record(
        action="customer.partner_changed", customer=active_customer, actor=agent, data=data
    )

    assert _details(active_customer)["Partner changed"] == said


def test_no_timeline_entry_shows_a_row_id_or_a_stored_code(agent, active_customer):
    subscription = _add_fibre(active_customer, agent)
    subscription_change(subscription=subscription, actor=agent, monthly_charge=Decimal("30.00"))
    subscription_end(subscription=subscription, actor=agent, end_date=timezone.localdate())
    InvoiceFactory(customer=active_customer)
    relationship_add(
        from_customer=active_customer,
        to_customer=CustomerFactory(actor=agent),
        kind="referred_by",
        actor=agent,
    )

    for entry in customer_timeline(customer=active_customer):
        text = f"{entry.title} {entry.detail}"
        assert "Id:" not in text and not re.search(r"\b[a-z]+_[a-z_]+\b", text), text
