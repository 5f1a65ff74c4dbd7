"""Headless Chromium signs in as an administrator with the password and a code from the
authenticator app, signs out, and is then locked out after failed passwords."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from customers import roles
from tests.crm.test_signin_second_factor import enrolled, totp_code
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def administrator(settings):
    settings.CRM_REQUIRE_SECOND_FACTOR = True
    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


def _password(page, username, password):
    page.goto("/login/?next=/customers/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_an_administrator_signs_in_with_a_code_and_is_later_locked_out(browser_page, administrator):
    page = browser_page
    secret = enrolled(administrator)

    _password(page, "ada", PASSWORD)
    page.get_by_role("heading", name="Second factor").wait_for()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Verify").click()
    page.get_by_role("heading", name="Customers").wait_for()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Log in").wait_for()

    # The lockout answers 429 Too Many Requests, which the browser reports on its console; this
    # page fails on any other console error itself.
    locked = page.context.new_page()
    errors = []
    locked.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for _ in range(settings.CRM_SIGNIN_FAILURE_LIMIT):
        _password(locked, "ada", "not the password")
    _password(locked, "ada", PASSWORD)

    locked.get_by_role("alert").get_by_text("it is locked for").wait_for()
    assert locked.get_by_role("heading", name="Customers").count() == 0
    assert all("status of 429" in error for error in errors), errors
