"""Headless Chromium drives the staff UI: log in, create a lead, qualify, establish, find it."""

import pytest

from customers.models import Customer
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_page):
    return browser_page


def test_an_agent_creates_qualifies_establishes_and_finds_a_lead(page, agent):
    page.goto("/login/?next=/customers/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customers").wait_for()

    page.get_by_role("link", name="New lead").first.click()
    assert page.get_by_label("Legal name").is_hidden()  # organisation fields follow the kind
    page.get_by_label("Given name").fill("Zoë")
    page.get_by_label("Family name").fill("Müller")
    page.get_by_label("E-mail").fill("Zoe.Mueller@Example.com")
    page.get_by_label("Mobile").fill("07911 123456")
    page.get_by_role("button", name="Create lead").click()

    page.get_by_text("created.").wait_for()
    assert page.locator("#customer-status").inner_text() == "Lead"
    customer = Customer.objects.get(party__family_name="Müller")

    page.get_by_role("link", name="Qualify", exact=True).click()
    page.get_by_label("Reason").select_option("need_confirmed")
    page.get_by_role("button", name="Qualify as prospect").click()
    page.get_by_text("Qualify: done").wait_for()
    assert page.locator("#customer-status").inner_text() == "Prospect"

    page.get_by_role("link", name="Establish relationship").click()
    page.get_by_role("button", name="Establish customer").click()
    page.get_by_text("Establish relationship: done").wait_for()
    assert page.locator("#customer-status").inner_text() == "Active"

    page.get_by_role("link", name="Customers").first.click()
    page.get_by_role("searchbox").fill("zoe.mueller@example.com")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#customer-list tbody tr")
    rows.first.wait_for()
    assert rows.count() == 1
    assert customer.number in rows.first.inner_text()
    assert "Active" in rows.first.inner_text()
    customer.refresh_from_db()
    assert customer.status == Customer.Status.ACTIVE


def test_a_lead_with_an_existing_email_is_warned_and_linked_to_the_customer(page, agent):
    existing = CustomerFactory(
        actor=agent,
        given_name="Ada",
        family_name="Lovelace",
        status=Customer.Status.ACTIVE,
        contact_media=[ContactMediumInput(kind="email", value="ada@example.com")],
    )
    page.goto("/login/?next=/customers/")
    page.get_by_label("Username").fill(agent.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    page.goto("/customers/new/")
    page.get_by_label("Given name").fill("Ada")
    page.get_by_label("Family name").fill("Lovelace-King")
    page.get_by_label("E-mail").fill("ADA@example.com")
    page.get_by_role("button", name="Create lead").click()

    warning = page.get_by_role("alert").filter(has_text="Is this one of these customers?")
    warning.wait_for()
    assert "same e-mail" in warning.inner_text()
    assert Customer.objects.count() == 1

    warning.get_by_role("link", name=f"Open {existing.number}").click()
    page.wait_for_url(f"**{existing.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ada Lovelace")
    assert Customer.objects.count() == 1
