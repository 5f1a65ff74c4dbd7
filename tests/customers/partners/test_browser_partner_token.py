"""Headless Chromium issues a partner token: shown once, copied by keyboard, never re-issued."""

import pytest

from customers.partners.models import ApiToken
from customers.partners.services.partners import token_authenticate
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_copies_the_new_token_by_keyboard_and_a_reload_shows_it_no_more(
    browser_page, manager
):
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    partner = PartnerFactory(name="Blue MVNO")
    page.goto("/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()

    page.goto(f"/partners/{partner.pk}/tokens/new/")
    page.get_by_label("Name").fill("billing sync")
    page.get_by_label("Read customers").check()
    page.get_by_role("button", name="Issue token").click()
    page.get_by_role("heading", name="The new token for “billing sync”").wait_for()
    secret = page.locator("#token-secret").inner_text()

    copy = page.get_by_role("button", name="Copy token")
    copy.focus()
    page.keyboard.press("Enter")
    page.get_by_role("status").filter(has_text="Token copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    assert token_authenticate(secret) == ApiToken.objects.get(partner=partner)

    page.reload()
    page.get_by_role("heading", name="Token “billing sync” already shown").wait_for()
    assert secret not in page.content()
    assert ApiToken.objects.filter(partner=partner).count() == 1
