"""Headless Chromium: the customer list fits a laptop and a phone without sideways scrolling,
long e-mail addresses and all; on a phone each customer is a card of labelled lines."""

import pytest

from customers.models import ContactMedium, Customer
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory, PartnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listed(manager):
    partner = PartnerFactory(name="Alpine Connect")
    for n, status in enumerate(("lead", "prospect", "active", "suspended", "terminated")):
        email = f"ferrari.giuseppe.{1990 + n}@accounts.cedarrecruitment.example.com"
        CustomerFactory(
            actor=manager,
            status=status,
            given_name="Giuseppe",
            family_name=f"Ferrari-Bianchi {n}",
            partner=partner,
            account_manager=manager,
            contact_media=[
                ContactMediumInput(kind=ContactMedium.Kind.EMAIL, value=email, is_preferred=True),
                ContactMediumInput(
                    kind=ContactMedium.Kind.MOBILE, value="+353 89 292 5215", is_preferred=True
                ),
            ],
        )
    return Customer.objects.count()


@pytest.fixture
def page(browser_page, manager):
    browser_page.goto("/login/?next=/customers/")
    browser_page.get_by_label("Username").fill(manager.username)
    browser_page.get_by_label("Password").fill("correct horse battery staple")
    browser_page.get_by_role("button", name="Log in").click()
    browser_page.get_by_role("heading", name="Customers").wait_for()
    return browser_page


@pytest.mark.parametrize("width", [1280, 390])
def test_the_customer_list_fits_the_screen(page, listed, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/customers/")
    page.locator("#customer-list").wait_for()

    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("#customer-list tbody tr").count() == listed
    since = page.locator("#customer-list td.since").first.inner_text()
    assert since.split()[0] in ("Customer", "Lead", "Created")


def test_on_a_phone_each_customer_is_a_card_of_labelled_lines(page, listed):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/customers/")
    number = page.locator("#customer-list td[data-label=Number]").first

    assert number.evaluate("c => getComputedStyle(c).display") == "block"
    assert number.evaluate("c => getComputedStyle(c, '::before').content") == '"Number: "'
    assert page.locator("#customer-list thead").bounding_box()["height"] <= 1
