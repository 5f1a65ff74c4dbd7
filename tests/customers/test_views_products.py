"""Managers add, change and end a customer's products from the customer page."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer, Subscription
from customers.services import customer_reestablish, subscription_add
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fibre(db):
    return ProductFactory(code="FIB-500", name="Fibre 500", family="broadband", list_price="39.00")


def _held(customer, actor, product, **fields):
    return subscription_add(
        customer=customer,
        product=product,
        start_date=datetime.date(2025, 1, 15),
        actor=actor,
        **fields,
    )


def test_a_manager_adds_a_product_to_a_re_established_customer(client, manager, fibre):
    customer = CustomerFactory(status=Customer.Status.TERMINATED)
    customer_reestablish(customer=customer, actor=manager, reason="win_back")
    ProductFactory(code="OLD-1", name="Withdrawn plan", is_active=False)
    client.force_login(manager)
    url = reverse("customers:product_add", args=[customer.number])

    page = client.get(url)
    response = client.post(
        url,
        {
            "product": fibre.pk,
            "start_date": timezone.localdate().isoformat(),
            "monthly_charge": "",
            "contract_term_months": "24",
            "service_id": " LINE-77 ",
        },
    )

    assert "Fibre 500" in page.content.decode() and "Withdrawn plan" not in page.content.decode()
    assert response.status_code == 302
    subscription = Subscription.objects.get(customer=customer)
    assert (subscription.monthly_charge, subscription.contract_term_months) == (Decimal("39"), 24)
    assert subscription.service_id == "LINE-77"


def test_a_product_for_a_terminated_customer_is_a_form_error(client, manager, fibre):
    customer = CustomerFactory(status=Customer.Status.TERMINATED)
    client.force_login(manager)

    response = client.post(
        reverse("customers:product_add", args=[customer.number]),
        {"product": fibre.pk, "start_date": "2025-01-01", "contract_term_months": "0"},
    )

    assert response.status_code == 200
    assert "re-establish the relationship" in response.content.decode()
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"product": "999999", "start_date": "2025-01-01", "contract_term_months": "0"},
        {"product": "x", "start_date": "yesterday", "contract_term_months": "-1"},
        {"monthly_charge": "-3", "contract_term_months": "600"},
    ],
)
def test_hostile_product_input_is_a_form_error(client, manager, active_customer, fibre, data):
    client.force_login(manager)

    response = client.post(reverse("customers:product_add", args=[active_customer.number]), data)

    assert response.status_code == 200 and response.context["form"].errors
    assert not Subscription.objects.exists()


def test_changing_a_product_from_the_customer_page(client, manager, active_customer, fibre):
    subscription = _held(active_customer, manager, fibre)
    client.force_login(manager)
    url = reverse("customers:product_change", args=[active_customer.number, subscription.pk])

    form = client.get(url)
    response = client.post(
        url, {"monthly_charge": "35.00", "contract_term_months": "12", "service_id": "LINE-1"}
    )

    assert form.context["form"].initial["monthly_charge"] == Decimal("39.00")
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.monthly_charge, subscription.contract_term_months) == (Decimal("35"), 12)


def test_ending_a_product_from_the_customer_page(client, manager, active_customer, fibre):
    subscription = _held(active_customer, manager, fibre)
    client.force_login(manager)
    url = reverse("customers:product_end", args=[active_customer.number, subscription.pk])

    too_early = client.post(url, {"end_date": "2025-01-14"})
    response = client.post(url, {"end_date": timezone.localdate().isoformat()})

    assert too_early.status_code == 200 and too_early.context["form"].errors["end_date"]
    assert response.status_code == 302
    assert Subscription.objects.get(pk=subscription.pk).status == "terminated"


def test_a_product_is_only_reached_through_its_own_customer(
    client, manager, active_customer, other_active_customer, fibre
):
    subscription = _held(active_customer, manager, fibre)
    client.force_login(manager)

    url = reverse("customers:product_end", args=[other_active_customer.number, subscription.pk])

    assert client.post(url, {"end_date": "2025-02-01"}).status_code == 404
    assert Subscription.objects.get(pk=subscription.pk).status == "active"


def test_agents_see_products_but_do_not_manage_them(client, agent, manager, active_customer, fibre):
    subscription = _held(active_customer, manager, fibre)
    client.force_login(agent)
    number = active_customer.number

    page = client.get(active_customer.get_absolute_url()).content.decode()

    assert "Fibre 500" in page
    assert reverse("customers:product_add", args=[number]) not in page
    assert client.get(reverse("customers:product_add", args=[number])).status_code == 403
    for name in ("product_change", "product_end"):
        url = reverse(f"customers:{name}", args=[number, subscription.pk])
        assert client.post(url, {"end_date": "2025-02-01"}).status_code == 403


def test_the_products_panel_links_to_add_change_and_end(client, manager, active_customer, fibre):
    held = _held(active_customer, manager, fibre)
    ended = _held(active_customer, manager, fibre)
    ended.end_date, ended.status = datetime.date(2025, 2, 1), "terminated"
    ended.save()
    client.force_login(manager)

    page = client.get(active_customer.get_absolute_url()).content.decode()

    number = active_customer.number
    assert reverse("customers:product_add", args=[number]) in page
    assert reverse("customers:product_change", args=[number, held.pk]) in page
    assert reverse("customers:product_end", args=[number, held.pk]) in page
    assert reverse("customers:product_end", args=[number, ended.pk]) not in page
