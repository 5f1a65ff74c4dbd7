"""Every main staff page, at 1280 and 390 px wide in headless Chromium: nothing scrolls sideways
and axe-core finds no serious or critical violation. The screenshots are kept in
test-artifacts/screens/ (git-ignored) for a person to look at.

axe-core comes from the npm registry at the version package-lock.json pins (``npm ci`` at the
repository root); without it these tests are skipped, or fail under CRM_REQUIRE_BROWSER=1."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command

from customers import roles
from customers.identity.services.identity import (
    candidates_for_profile,
    duplicate_pair_record,
    party_profiles,
)
from customers.models import Customer
from customers.partners.models import HubDelivery, HubEvent, HubSubscription
from statements.runs import statement_run_monthly
from tests.conftest import REQUIRE_BROWSER
from tests.crm.test_signin_second_factor import enrolled, totp_code
from tests.factories import CustomerFactory, PartnerFactory, UserFactory
from work.services import task_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = Path(settings.BASE_DIR) / "test-artifacts" / "screens"
WIDTHS = (1280, 390)
PASSWORD = "correct horse battery staple"
# The longest addresses partners really register; a URL like this once made the delivery log
# 838 px wide on a phone.
LONG_CALLBACK = (
    "https://hooks.northwind-mobile.example.com/tmf-api/v5/listener/customer-events/production"
)


@pytest.fixture
def axe(browser_page):
    """axe-core loaded into every page the browser opens (as an init script, which the page's
    Content-Security-Policy does not apply to)."""
    if not AXE.exists():
        message = (
            f"axe-core not found at {AXE}: run `npm ci` at the repository root "
            "(package.json pins it)"
        )
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)
    browser_page.context.add_init_script(path=str(AXE))
    return browser_page


@pytest.fixture
def administrator(db):
    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


@pytest.fixture
def base(administrator, tasks_in_process, django_capture_on_commit_callbacks):
    """A small demo base, scored, with survey answers and follow-ups, a duplicate pair and a
    delivery to a long hub address: the rows that once made pages too wide."""
    out = StringIO()
    call_command("seed_demo", customers=120, seed=11, stdout=out)
    call_command("seed_surveys", stdout=out)
    call_command("score_customers", stdout=out)

    twins = [
        CustomerFactory(
            actor=administrator,
            given_name="Maximiliana",
            family_name="Wolkenstein-Rodenegg",
            birth_date=datetime.date(1984, 2, 29),
            status=Customer.Status.ACTIVE,
        )
        for _ in range(2)
    ]
    profile = party_profiles([twins[1].party_id])[twins[1].party_id]
    (match,) = [m for m in candidates_for_profile(profile) if m.customer == twins[0]]
    duplicate_pair_record(first=twins[0], second=twins[1], match=match.match, source="scan")

    partner = PartnerFactory(name="Northwind Mobile Virtual Network Operator")
    hub = HubSubscription.objects.create(partner=partner, callback=LONG_CALLBACK, secret="s" * 32)
    event = HubEvent.objects.create(
        event_type="CustomerAttributeValueChangeEvent",
        customer_id=twins[0].pk,
        partner=partner,
        payload={"eventType": "CustomerAttributeValueChangeEvent"},
    )
    HubDelivery.objects.create(
        event=event,
        subscription=hub,
        attempts=3,
        response_status=503,
        last_error="Service Unavailable: the listener is being redeployed, try again later",
    )
    customer = Customer.objects.filter(status=Customer.Status.ACTIVE).order_by("pk").first()
    for title in ("Call back about the roaming bill", "Send the contract", "Check the line"):
        task_create(
            customer=customer,
            title=title,
            owner=administrator,
            due_on=datetime.date.today(),
            actor=administrator,
        )
    # Last month's statements, written as the monthly run writes them.
    with django_capture_on_commit_callbacks(execute=True):
        statement_run_monthly()
    return {"customer": customer, "partner": partner}


def _sign_in(page, user):
    page.goto("/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _signed_in(page, user):
    _sign_in(page, user)
    # On a phone the menu (and the Log out button in it) is folded away: attached, not visible.
    page.get_by_role("button", name="Log out", include_hidden=True).wait_for(state="attached")
    page.wait_for_load_state("load")


def _problems(page, name: str) -> list[str]:
    """What is wrong with the page now open, at each width; its screenshots are saved."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_load_state("load")
        page.screenshot(path=str(SCREENS / f"{name}_{width}.png"), full_page=True)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{name} at {width} px is {scroll_width} px wide")
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                where = [node["target"] for node in violation["nodes"][:3]]
                problems.append(
                    f"{name} at {width} px: {violation['id']} ({violation['impact']}) {where}"
                )
    return problems


def _staff_pages(base) -> dict[str, str]:
    return {
        "home": "/",
        "customers": "/customers/",
        "customer": base["customer"].get_absolute_url(),
        "access-log": f"/privacy/customers/{base['customer'].number}/access-log/",
        "new-lead": "/customers/new/",
        "open-interactions": "/customers/interactions/open/",
        "imports": "/customers/imports/",
        "duplicates": "/customers/duplicates/",
        "partners": "/partners/",
        "partner": f"/partners/{base['partner'].pk}/",
        "hub-deliveries": "/partners/deliveries/",
        "retention": "/risk/retention/",
        "risk": "/risk/",
        "satisfaction": "/satisfaction/",
        "survey-answers": "/satisfaction/responses/",
        "surveys": "/satisfaction/surveys/",
        "follow-ups": "/satisfaction/follow-ups/",
        "tasks": "/work/tasks/?show=all",
        "notifications": "/work/notifications/",
        "erasures": "/privacy/erasures/",
        "retention-periods": "/privacy/retention/",
        "erasure-request": f"/privacy/customers/{base['customer'].number}/erasure/",
        "message-templates": "/messages/templates/",
        "statement-runs": "/statements/runs/",
        "statements": f"/statements/customer/{base['customer'].number}/",
        "second-factor-enrol": "/login/second-factor/enrol/",
        "admin": "/admin/",
        "admin-products": "/admin/customers/product/",
    }


def test_every_main_page_fits_the_screen_and_passes_axe_at_both_widths(axe, base, administrator):
    page = axe
    page.goto("/login/")
    problems = _problems(page, "login")

    _signed_in(page, administrator)
    for name, path in _staff_pages(base).items():
        page.goto(path)
        problems += _problems(page, name)
    problems += _bulk_pages(page)

    assert not problems, "\n".join(problems)


def _tick(page, path: str, rows: int) -> None:
    """Open a list and tick its first rows, one by one: on a phone the tick-all box sits in
    the table's header, which the stacked cards hide."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(path)
    boxes = page.locator("input.pick[name=ids]").all()
    assert len(boxes) >= rows, f"{path} has {len(boxes)} rows to tick"
    for box in boxes[:rows]:
        box.check()


def _bulk_pages(page) -> list[str]:
    """The pages behind a list's bulk actions, which a POST opens: the task list's reassign
    (confirmation and result) and a bulk action started from the retention list."""
    _tick(page, "/work/tasks/?show=all", 3)
    page.get_by_role("button", name="Reassign ticked tasks").click()
    problems = _problems(page, "tasks-bulk-assign")
    page.get_by_label("Give to").select_option(index=1)
    page.get_by_role("button", name="Give 3 tasks").click()
    problems += _problems(page, "tasks-bulk-assign-result")
    _tick(page, "/risk/retention/", 2)
    page.get_by_role("button", name="Apply to ticked rows").click()
    problems += _problems(page, "retention-bulk-confirm")
    return problems


def test_the_customer_list_fits_for_an_agent_who_sees_no_scores(axe, base):
    agent = UserFactory(username="alice")
    agent.groups.add(Group.objects.get(name=roles.AGENT))
    _signed_in(axe, agent)
    axe.goto("/customers/")

    assert _problems(axe, "customers-agent") == []


def test_the_second_factor_page_fits_and_passes_axe(axe, administrator, settings):
    settings.CRM_REQUIRE_SECOND_FACTOR = True
    secret = enrolled(administrator)
    _sign_in(axe, administrator)
    axe.get_by_label("Code").wait_for()

    assert _problems(axe, "second-factor") == []
    axe.get_by_label("Code").fill(totp_code(secret))
    axe.get_by_role("button", name="Verify").click()
    axe.get_by_role("button", name="Log out", include_hidden=True).wait_for(state="attached")


def test_on_a_phone_the_menu_opens_and_closes_with_its_button(browser_page, administrator):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 800})
    _signed_in(page, administrator)
    menu_button = page.get_by_role("button", name="Menu")
    main_menu = page.get_by_role("navigation", name="Main")

    assert menu_button.get_attribute("aria-expanded") == "false"
    assert not main_menu.is_visible()
    menu_button.click()
    assert menu_button.get_attribute("aria-expanded") == "true"
    main_menu.get_by_role("link", name="Partners").wait_for()
    page.keyboard.press("Escape")
    assert menu_button.get_attribute("aria-expanded") == "false"
    assert not main_menu.is_visible()
    assert page.evaluate("document.activeElement.className") == "menu-toggle"


def test_on_a_wide_screen_the_menu_is_always_shown_and_its_button_is_not(
    browser_page, administrator
):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 800})
    _signed_in(page, administrator)

    assert page.get_by_role("navigation", name="Main").is_visible()
    assert not page.locator(".menu-toggle").is_visible()


def test_without_javascript_the_menu_is_shown_on_a_phone(browser_page, live_server, administrator):
    context = browser_page.context.browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 800}
    )
    page = context.new_page()
    _signed_in(page, administrator)

    assert page.get_by_role("navigation", name="Main").is_visible()
    assert not page.locator(".menu-toggle").is_visible()
    context.close()


def test_the_first_tab_reaches_the_skip_link_which_leads_to_the_content(
    browser_page, administrator
):
    page = browser_page
    _signed_in(page, administrator)
    page.goto("/risk/")

    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Skip to content"
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
