"""Headless Chromium: the header's search suggests customers as one types, is driven with the
keyboard alone (the ARIA combobox pattern), and fits a phone."""

import re

import pytest
from django.db import connection

from tests.factories import CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_page, manager):
    browser_page.goto("/login/?next=/customers/")
    browser_page.get_by_label("Username").fill(manager.username)
    browser_page.get_by_label("Password").fill("correct horse battery staple")
    browser_page.get_by_role("button", name="Log in").click()
    browser_page.get_by_role("heading", name="Customers").wait_for()
    return browser_page


@pytest.fixture
def customers(manager):
    CustomerFactory(actor=manager, given_name="Hugo", family_name="Thomas")
    return CustomerFactory(actor=manager, given_name="Thomas", family_name="Hughes")


def choose_with_the_keyboard(page, typed: str, wanted: str):
    box = page.get_by_role("combobox", name="Search")
    box.press_sequentially(typed, delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.get_by_role("option").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    options = listbox.get_by_role("option").all_inner_texts()
    for _ in range(next(n for n, text in enumerate(options) if wanted in text) + 1):
        box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert wanted in page.locator(f"#{active}").inner_text()
    box.press("Enter")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="typos need pg_trgm")
def test_a_mistyped_name_is_chosen_with_the_keyboard_and_opens_the_customer(page, customers):
    choose_with_the_keyboard(page, "thomas hugehs", "Thomas Hughes")

    page.wait_for_url(re.compile(f"/customers/{customers.number}/$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thomas Hughes")


def test_the_beginning_of_a_name_is_chosen_with_the_keyboard(page, customers):
    choose_with_the_keyboard(page, "hugh", "Thomas Hughes")

    page.wait_for_url(re.compile(f"/customers/{customers.number}/$"))


def test_escape_closes_the_suggestions_and_enter_opens_the_results_page(page, customers):
    box = page.get_by_role("combobox", name="Search")
    box.press_sequentially("thom", delay=40)
    page.get_by_role("listbox", name="Suggestions").get_by_role("option").first.wait_for()

    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    assert box.get_attribute("aria-activedescendant") is None
    box.press("Enter")

    page.wait_for_url(re.compile(r"/search/\?q=thom$"))
    assert page.get_by_role("link", name="Thomas Hughes").is_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_the_suggestions_fit_the_screen(page, customers, width):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/customers/")
    page.get_by_role("combobox", name="Search").press_sequentially("thom", delay=40)
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.get_by_role("option").first.wait_for()

    box = listbox.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
