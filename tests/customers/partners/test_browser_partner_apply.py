"""Headless Chromium on the public partner application page, at a phone's width."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_field_of_the_application_is_styled_alike_at_a_phones_width(browser_page):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/partner-application/")

    name = page.get_by_label("Organisation name").bounding_box()
    fields = {
        "e-mail": page.get_by_label("Your e-mail"),
        "website": page.get_by_label("Website"),
        "registration": page.get_by_label("Registration number"),
        "about": page.get_by_label("About your business"),
    }
    for label, field in fields.items():
        box = field.bounding_box()
        assert box["width"] == pytest.approx(name["width"], abs=1), label
        assert box["height"] >= 44, label  # a finger-sized target
        assert field.evaluate("e => getComputedStyle(e).fontSize") == "17px", label
    assert name["width"] > 300
    assert not page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
