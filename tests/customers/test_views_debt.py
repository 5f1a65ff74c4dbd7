"""What the customer owes, as agents see it: before terminating or re-establishing, and on the
customer page after a termination."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from customers.services import customer_terminate
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db


def _overdue_invoice(customer, amount):
    issued_on = timezone.localdate() - datetime.timedelta(days=30)
    return InvoiceFactory(customer=customer, amount=Decimal(amount), issued_on=issued_on)


def _running_invoice(customer, amount):
    return InvoiceFactory(customer=customer, amount=Decimal(amount))


def _text(response) -> str:
    """The page as a reader sees it: tags dropped, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _lifecycle_page(client, customer, action):
    return client.get(reverse("customers:lifecycle_action", args=[customer.number, action]))


def test_the_terminate_page_tells_the_agent_what_goes_on_the_final_bill(
    client, manager, active_customer
):
    _running_invoice(active_customer, "28.00")
    client.force_login(manager)

    page = _text(_lifecycle_page(client, active_customer, "terminate"))

    assert "Overdue €0.00" in page
    assert "Not yet due €28.00" in page
    assert "Final bill €28.00 stays owed after termination" in page
    assert "Nothing is overdue, so any reason may be given" in page


def test_the_terminate_page_warns_of_overdue_debt_and_names_the_reasons_it_allows(
    client, manager, active_customer
):
    _overdue_invoice(active_customer, "12.00")
    _running_invoice(active_customer, "28.00")
    client.force_login(manager)

    response = _lifecycle_page(client, active_customer, "terminate")
    page = _text(response)

    assert "Overdue €12.00 on 1 invoice" in page
    assert "Final bill €40.00 stays owed" in page
    assert "€12.00 is overdue" in page
    assert "Non-payment, Fraud, Deceased, Business closed" in page
    assert 'id="overdue-notice"' in response.content.decode()


def test_a_manager_terminates_for_a_competitor_while_the_bill_is_not_yet_due(
    client, manager, active_customer
):
    _running_invoice(active_customer, "28.00")
    client.force_login(manager)
    url = reverse("customers:lifecycle_action", args=[active_customer.number, "terminate"])

    response = client.post(url, {"reason": "competitor"})

    assert response.status_code == 302
    active_customer.refresh_from_db()
    assert active_customer.status == Customer.Status.TERMINATED


def test_the_customer_page_shows_the_final_bill_after_termination(client, manager, active_customer):
    _running_invoice(active_customer, "28.00")
    customer_terminate(customer=active_customer, actor=manager, reason="competitor")
    client.force_login(manager)

    response = client.get(active_customer.get_absolute_url())
    page = _text(response)

    assert "Final bill: €28.00 still owed, not yet due." in page
    assert "Open balance €28.00 final bill" in page
    assert "Not yet due €28.00" in page
    assert "Final bill: €28.00 owed, not yet due." in page  # the lifecycle history
    assert response.context["billing"].open_balance == Decimal("28.00")


def test_the_customer_page_shows_a_terminated_customers_overdue_debt(
    client, manager, active_customer
):
    _overdue_invoice(active_customer, "45.00")
    customer_terminate(customer=active_customer, actor=manager, reason="non_payment")
    client.force_login(manager)

    page = _text(client.get(active_customer.get_absolute_url()))

    assert "Final bill: €45.00 still owed, €45.00 of it overdue." in page
    assert "Overdue €45.00 on 1 invoice" in page
    assert "Final bill: €45.00 owed, all of it overdue." in page  # the lifecycle history


def test_a_bill_not_yet_due_is_not_shown_as_overdue(client, agent, active_customer):
    _running_invoice(active_customer, "28.00")
    client.force_login(agent)

    response = client.get(active_customer.get_absolute_url())
    page = _text(response)

    assert "Overdue €0.00" in page
    assert "not yet due" in page
    assert "Final bill" not in page  # only after a termination
    assert ">unpaid<" not in response.content.decode()


def test_the_reestablish_page_warns_of_overdue_debt_and_how_to_carry_it_over(
    client, manager, active_customer
):
    _overdue_invoice(active_customer, "45.00")
    customer_terminate(customer=active_customer, actor=manager, reason="non_payment")
    client.force_login(manager)

    page = _text(_lifecycle_page(client, active_customer, "reestablish"))

    assert "€45.00 is overdue" in page
    assert "Payment plan agreed for the open debt" in page
    assert "The debt is carried over and stays on the account." in page


def test_a_reestablish_refused_for_overdue_debt_is_a_form_error(client, manager, active_customer):
    _overdue_invoice(active_customer, "45.00")
    customer_terminate(customer=active_customer, actor=manager, reason="non_payment")
    client.force_login(manager)
    url = reverse("customers:lifecycle_action", args=[active_customer.number, "reestablish"])

    response = client.post(url, {"reason": "win_back"})

    assert response.status_code == 200
    assert "has €45.00 overdue" in " ".join(response.context["form"].non_field_errors())
    active_customer.refresh_from_db()
    assert active_customer.status == Customer.Status.TERMINATED
