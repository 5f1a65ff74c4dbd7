"""The customer's own changes in headless Chromium at 390 px: a new e-mail address proven by
a code, a consent withdrawn, a complaint raised and seen resolved once staff resolved it, a
statement downloaded. axe-core finds no serious or critical violation on any page visited and
nothing scrolls sideways at 390 or 1280 px. Screenshots: test-artifacts/screens/portal-*.png."""

import re

import pytest
from django.core import mail

from customers.models import Interaction
from customers.services.interactions import interaction_resolve
from customers.services.preferences import consent_record
from tests.crm.test_browser_layout import _problems, axe  # noqa: F401 (a fixture)
from tests.factories import InvoiceFactory
from tests.portal.conftest import ADA_EMAIL, code_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_EMAIL = "ada.new@example.org"


@pytest.fixture
def ada_with_statement(ada, statement_for, agent_user):
    import datetime

    from django.utils import timezone

    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=10)
    InvoiceFactory(customer=ada, number="INV-2026-STMT", issued_on=last_month)
    consent_record(
        customer=ada,
        channel="email",
        purpose="marketing",
        granted=True,
        source="store",
        actor=agent_user,
    )
    statement_for(ada)
    return ada


@pytest.mark.usefixtures("axe")
def test_a_customer_changes_their_details_and_asks_things_of_us_on_a_phone(
    live_server, browser_page, ada_with_statement, agent_user
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 900})
    nav = page.get_by_role("navigation")
    page.goto("/my/sign-in/")
    page.get_by_label("E-mail address or mobile number").fill(ADA_EMAIL)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("6-digit code").fill(code_in(mail.outbox[-1]))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()

    # A new e-mail address, proven by the code sent to it.
    nav.get_by_role("link", name="Contact details").click()
    page.get_by_role("heading", level=1, name="Contact details").wait_for()
    problems = _problems(page, "portal-contact")
    page.get_by_role("link", name=re.compile(rf"^Change\W+{re.escape(ADA_EMAIL)}$")).click()
    problems += _problems(page, "portal-contact-change")
    page.get_by_label("New e-mail address or mobile number").fill(NEW_EMAIL)
    page.get_by_role("button", name="Send a code to the new address").click()
    page.get_by_role("heading", level=1, name="Confirm your new address").wait_for()
    problems += _problems(page, "portal-contact-code")
    assert mail.outbox[-1].to == [NEW_EMAIL]
    page.get_by_label("6-digit code").fill(code_in(mail.outbox[-1]))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_text("Your contact details are saved.").wait_for()
    assert page.locator("td.address", has_text=NEW_EMAIL).is_visible()

    # A consent withdrawn, its history kept.
    nav.get_by_role("link", name="Consents").click()
    page.get_by_role("heading", level=1, name="Consents").wait_for()
    page.get_by_role("button", name=re.compile(r"^Withdraw\W+Offers and news by E-mail$")).click()
    page.get_by_text("Your answer is saved.").wait_for()
    page.get_by_text(re.compile(r"History\W+Offers and news by E-mail")).click()
    page.get_by_text("Withdrawn (on this website)").wait_for()
    problems += _problems(page, "portal-consents")

    nav.get_by_role("link", name="Preferences").click()
    page.get_by_role("heading", level=1, name="Preferences").wait_for()
    problems += _problems(page, "portal-preferences")

    # A complaint, open until staff resolve it.
    nav.get_by_role("link", name="Contacts with us").click()
    page.get_by_role("link", name="Ask a question or make a complaint").click()
    problems += _problems(page, "portal-inquiry")
    page.get_by_label("Complaint").check()
    page.get_by_label("Your message").fill("My line drops every evening at eight.")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("We have received your message").wait_for()
    assert page.get_by_text("Open", exact=True).is_visible()
    problems += _problems(page, "portal-complaint")
    complaint = Interaction.objects.get(customer=ada_with_statement, kind="complaint")
    assert (complaint.channel, complaint.outcome) == ("web", "open")
    interaction_resolve(interaction=complaint, actor=agent_user)
    page.reload()
    page.get_by_text("Resolved", exact=True).wait_for()

    # A statement, downloaded.
    nav.get_by_role("link", name="Statements").click()
    page.get_by_role("heading", level=1, name="Statements").wait_for()
    problems += _problems(page, "portal-statements")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^PDF")).first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert ada_with_statement.number in download.value.suggested_filename

    nav.get_by_role("link", name="Your data").click()
    page.get_by_role("heading", level=1, name="Your data").wait_for()
    page.get_by_role("button", name="Prepare a copy of my data").click()
    page.get_by_text("We are preparing a copy of your data.").wait_for()
    problems += _problems(page, "portal-data")
    assert problems == []
