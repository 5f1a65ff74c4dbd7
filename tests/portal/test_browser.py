"""The portal in headless Chromium at 390 and 1280 px: sign-in by code, then the customer's
pages; nothing scrolls sideways, axe-core finds no serious or critical violation, the console
reports no error (a style or script the CSP blocked among them), and the keyboard reaches the
skip link first. Screenshots: test-artifacts/screens/portal-*.png."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from customers.models import Interaction
from customers.services import payment_record
from tests.crm.test_browser_layout import _problems, axe  # noqa: F401 (a fixture)
from tests.factories import InteractionFactory, InvoiceFactory, ProductFactory, SubscriptionFactory
from tests.portal.conftest import ADA_EMAIL, code_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ada_with_history(ada):
    today = timezone.localdate()
    SubscriptionFactory(
        customer=ada,
        product=ProductFactory(code="FIB-500", name="Fibre 500 with a long product name"),
        service_id="LINE-0044-2090",
        contract_term_months=24,
    )
    SubscriptionFactory(customer=ada, product=ProductFactory(code="MOB-UNL", name="Mobile XL"))
    for n in range(3):
        invoice = InvoiceFactory(
            customer=ada,
            number=f"INV-2026-{n:06d}",
            issued_on=today - datetime.timedelta(days=30 * n),
            amount=Decimal("1234.56"),
        )
        if n:
            payment_record(
                customer=ada,
                invoice=invoice,
                amount=Decimal("1234.56"),
                received_on=invoice.due_on,
                method="direct_debit",
                reference=f"DD-2026-{n:06d}",
                actor=None,
            )
    InteractionFactory(
        customer=ada, kind=Interaction.Kind.COMPLAINT, outcome=Interaction.Outcome.OPEN
    )
    InteractionFactory(customer=ada, kind=Interaction.Kind.BILLING)
    return ada


@pytest.mark.usefixtures("axe")  # axe-core in every page browser_page opens
def test_a_customer_signs_in_by_code_and_reads_their_pages_on_a_phone(
    live_server, browser_page, ada_with_history
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/my/sign-in/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    problems = _problems(page, "portal-sign-in")
    page.get_by_label("E-mail address or mobile number").fill(ADA_EMAIL)
    page.get_by_role("button", name="Send me a code").click()
    page.get_by_label("6-digit code").wait_for()
    problems += _problems(page, "portal-code")
    page.get_by_label("6-digit code").fill(code_in(mail.outbox[-1]))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()
    problems += _problems(page, "portal-overview")
    for name in ("Products", "Invoices", "Payments", "Contacts with us"):
        page.get_by_role("navigation").get_by_role("link", name=name).click()
        page.get_by_role("heading", level=1, name=name).wait_for()
        problems += _problems(page, f"portal-{name.split()[0].lower()}")
    page.get_by_role("navigation").get_by_role("link", name="Invoices").click()
    page.get_by_role("link", name="INV-2026-000001").click()
    page.get_by_role("heading", level=1, name="Invoice INV-2026-000001").wait_for()
    problems += _problems(page, "portal-invoice")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You have signed out.").wait_for()
    assert problems == []
