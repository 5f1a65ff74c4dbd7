"""Staff in each role (alice an agent, margaret a manager), consenting customers with surveys
for them, and a customer with a row of every kind, all made through the services."""

# The fixtures imported here are this folder's; the ones below take them as arguments.
# ruff: noqa: F811

import datetime
from decimal import Decimal

import pytest

from customers.partners.models import HubSubscription
from customers.services import consent_record, interaction_record, preferences_update
from customers.services.billing import invoice_record, payment_record, subscription_add
from customers.services.contacts import ContactMediumInput
from customers.services.relationships import relationship_add
from risk.models import CreditApplication
from risk.services import customer_rescore
from satisfaction import services as satisfaction_services
from tests.customers.conftest import agent, analyst, other_agent  # noqa: F401
from tests.factories import CustomerFactory, PartnerFactory, ProductFactory
from tests.satisfaction.conftest import (  # noqa: F401
    consenting_customer,
    invitation,
    invite,
    make_consenting_customer,
    manager,
    nps_survey,
)
from work import services as work_services

START = datetime.date(2026, 1, 1)


@pytest.fixture
def make_customer_with_every_row(manager, agent, make_consenting_customer, nps_survey, invite):
    """``make_customer_with_every_row(given_name=…, …)``: a customer of the partner Northwind
    (which has a hub), ``manager`` their account manager, with an e-mail address and a mobile
    number, preferences, an SMS marketing consent given and then withdrawn, an interaction, a
    product billed once and paid, a credit application, scores, a survey answer (with its
    follow-up), a task, a note and a sister in the household. Her data is what the caller says;
    ``reference`` names the product, the invoice and the payment."""

    def make(
        *,
        given_name: str,
        family_name: str,
        birth_date: datetime.date,
        national_id: str,
        email: str,
        phone: str,
        reference: str,
        amount: Decimal,
        interaction_kind: str,
        interaction_summary: str,
        comment: str,
        task_title: str,
        note: str,
        sister_name: str,
    ):
        partner = PartnerFactory(name="Northwind")
        HubSubscription.objects.create(
            partner=partner, callback="https://hooks.example.com/events", secret="s" * 32
        )
        customer = make_consenting_customer(
            given_name=given_name,
            family_name=family_name,
            birth_date=birth_date,
            national_id=national_id,
            account_manager=manager,
            partner=partner,
            contact_media=[
                ContactMediumInput(kind="email", value=email, is_preferred=True),
                ContactMediumInput(kind="mobile", value=phone, is_preferred=True),
            ],
        )
        preferences_update(customer=customer, actor=agent, language="en", contact_on_weekends=True)
        for granted, source in ((True, "store"), (False, "call_centre")):
            consent_record(
                customer=customer,
                channel="sms",
                purpose="marketing",
                granted=granted,
                source=source,
                actor=agent,
            )
        interaction_record(
            customer=customer,
            channel="phone",
            direction="inbound",
            kind=interaction_kind,
            summary=interaction_summary,
            actor=agent,
        )
        subscription_add(
            customer=customer,
            product=ProductFactory(code=f"MOB-{reference}", name="Mobile Max"),
            start_date=START,
            service_id=phone,
            monthly_charge=amount,
            actor=agent,
        )
        invoice = invoice_record(
            customer=customer,
            number=f"INV-{reference}-1",
            period_start=START,
            issued_on=datetime.date(2026, 1, 31),
            due_on=datetime.date(2026, 2, 14),
            amount=amount,
            actor=agent,
        )
        payment_record(
            customer=customer,
            amount=amount,
            received_on=datetime.date(2026, 2, 10),
            method="card",
            reference=f"PAY-{reference}-1",
            actor=agent,
            invoice=invoice,
        )
        CreditApplication.objects.create(
            customer=customer,
            applied_on=START,
            characteristics={"months_employed": 40},
            external_ref=f"CA-{national_id}",
        )
        customer_rescore(customer=customer)
        satisfaction_services.response_submit(
            invitation=invite(nps_survey, customer), score=2, comment=comment
        )
        work_services.task_create(
            customer=customer,
            title=task_title,
            owner=agent,
            due_on=datetime.date(2026, 3, 1),
            actor=manager,
        )
        work_services.note_add(customer=customer, text=note, actor=agent)
        sister = CustomerFactory(given_name=sister_name, family_name=family_name, actor=agent)
        relationship_add(from_customer=customer, to_customer=sister, kind="household", actor=agent)
        return customer

    return make
