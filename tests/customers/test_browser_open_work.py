"""Headless Chromium: an agent resolves an escalated complaint from the customer page, and a
manager adds, changes and ends a product there."""

import pytest

from customers.models import Subscription
from customers.services import interaction_record
from tests.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, user):
    page.goto("/login/?next=/customers/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customers").wait_for()


def test_an_agent_resolves_an_escalated_complaint_from_the_customer_page(
    browser_page, agent, active_customer
):
    page = browser_page
    interaction = interaction_record(
        customer=active_customer,
        actor=agent,
        channel="phone",
        direction="inbound",
        kind="complaint",
        summary="Billed twice for March",
        outcome="escalated",
    )
    _log_in(page, agent)

    page.get_by_role("link", name="Interactions").click()
    page.get_by_text("Billed twice for March").wait_for()
    page.get_by_role("link", name=f"Resolve the interaction with {active_customer.number}").click()
    page.get_by_label("Note").fill("Refund issued")
    page.get_by_role("button", name="Resolve").click()

    page.get_by_text("resolved.").wait_for()
    assert "Billed twice for March" not in page.content()
    interaction.refresh_from_db()
    assert (interaction.outcome, interaction.closed_by) == ("resolved", agent)
    page.goto(active_customer.get_absolute_url())
    assert "Refund issued" in page.locator("ol.timeline").inner_text()


def test_a_manager_adds_changes_and_ends_a_product(browser_page, manager, active_customer):
    page = browser_page
    ProductFactory(code="TV-1", name="TV Basic", family="tv", list_price="12.00")
    _log_in(page, manager)
    page.goto(active_customer.get_absolute_url())

    page.locator("#products-h").get_by_role("link", name="Add").click()
    page.get_by_label("Product").select_option(label="TV Basic")
    page.get_by_label("Contract term (months)").fill("12")
    page.get_by_role("button", name="Add product").click()
    page.get_by_text("TV Basic added.").wait_for()

    page.get_by_role("link", name="Change TV Basic").click()
    page.get_by_label("Monthly charge").fill("9.50")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("TV Basic changed.").wait_for()

    page.get_by_role("link", name="End TV Basic").click()
    page.get_by_role("button", name="End product").click()
    page.get_by_text("TV Basic ended.").wait_for()

    subscription = Subscription.objects.get(customer=active_customer)
    assert (str(subscription.monthly_charge), subscription.status) == ("9.50", "terminated")
