"""The partner API takes a customer's billing currency at creation and gives amounts as TMF
Money in it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Customer, LatestScores
from tests.customers.partners.api.conftest import individual
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _scores(customer, lifetime_value: str) -> None:
    LatestScores.objects.create(
        customer=customer,
        churn_risk=0.2,
        credit_score=600,
        credit_rating="C",
        fraud_risk=0.01,
        influence=0.0,
        lifetime_value=Decimal(lifetime_value),
        value_segment="high",
        value_at_risk=Decimal("0"),
        scored_at=timezone.now(),
    )


def test_create_takes_the_currency_and_the_lifetime_value_comes_as_money(alpha_api, tmf):
    body = individual("Jane", "Doe", characteristic=[{"name": "currency", "value": "gbp"}])

    created = alpha_api.post("/customer", body)

    assert created.status_code == 201, created.json()
    customer = Customer.objects.get(number=created.json()["id"])
    assert customer.currency == "GBP"
    _scores(customer, "1234.50")
    shown = alpha_api.get(f"/customer/{customer.number}").json()
    tmf.validate(shown, "Customer")
    characteristics = {c["name"]: c for c in shown["characteristic"]}
    assert characteristics["currency"]["value"] == "GBP"
    assert characteristics["lifetimeValue"]["@type"] == "ObjectCharacteristic"
    assert characteristics["lifetimeValue"]["value"] == {"unit": "GBP", "value": 1234.5}


def test_a_customer_created_without_a_currency_is_billed_in_the_default(alpha_api, settings):
    created = alpha_api.post("/customer", individual()).json()

    values = {c["name"]: c["value"] for c in created["characteristic"]}
    assert values["currency"] == settings.CRM_CURRENCY


def test_an_unknown_currency_is_a_400_naming_the_characteristic(alpha_api):
    response = alpha_api.post(
        "/customer", individual(characteristic=[{"name": "currency", "value": "XYZ"}])
    )

    assert response.status_code == 400
    assert response.json()["message"].startswith("characteristic.currency: 'XYZ' is not")
    assert not Customer.objects.exists()


def test_the_currency_cannot_change_after_creation(alpha, alpha_api):
    customer = CustomerFactory(partner=alpha[0])

    response = alpha_api.patch(
        f"/customer/{customer.number}", {"characteristic": [{"name": "currency", "value": "USD"}]}
    )

    assert response.status_code == 400
    assert response.json()["message"] == "currency is set at creation only."
    customer.refresh_from_db()
    assert customer.currency == "EUR"
