"""Headless Chromium: on the customer list an agent ticks every row of the page, confirms a
bulk qualification and reads one result per customer; the headers sort the list."""

import pytest

from customers.models import Customer
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_page, agent):
    for n in range(3):
        CustomerFactory(actor=agent, family_name=f"Lead{n}")
    CustomerFactory(actor=agent, family_name="Active", status=Customer.Status.ACTIVE)
    browser_page.goto("/login/?next=/customers/")
    browser_page.get_by_label("Username").fill(agent.username)
    browser_page.get_by_label("Password").fill("correct horse battery staple")
    browser_page.get_by_role("button", name="Log in").click()
    browser_page.get_by_role("heading", name="Customers").wait_for()
    return browser_page


def test_an_agent_qualifies_every_row_of_the_page_and_reads_each_outcome(page):
    page.get_by_label("Tick every customer on this page").check()
    page.get_by_label("Action").select_option("qualify")
    page.get_by_role("button", name="Apply to ticked rows").click()
    page.get_by_text("3 can be moved").wait_for()
    page.get_by_role("button", name="Qualify: 4 customers").click()
    page.get_by_role("heading", name="Qualify: 3 of 4 done").wait_for()
    assert page.locator("#bulk-result").get_by_text("Refused").count() == 1
    assert Customer.objects.filter(status=Customer.Status.PROSPECT).count() == 3


def test_the_name_header_sorts_the_list(page):
    page.get_by_role("link", name="Name").click()
    page.wait_for_url("**sort=name**")
    header = page.locator("th", has=page.get_by_role("link", name="Name"))
    assert header.get_attribute("aria-sort") == "ascending"
