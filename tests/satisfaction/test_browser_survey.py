"""Headless Chromium: a customer answers an NPS survey from the invitation link; the account
manager then finds the answer and the detractor follow-up on the customer page."""

import pytest

from satisfaction import services
from satisfaction.models import FollowUp, Response

QUESTION = "How likely are you to recommend us to a friend or colleague?"
COMMENT = "The engineer came two days late."

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(live_server, settings, browser_page):
    # The links in invitations point at the live server, as they point at the public site.
    settings.CRM_PUBLIC_URL = live_server.url
    return browser_page


def test_a_customer_answers_and_the_account_manager_sees_the_detractor(page, invitation, manager):
    page.goto(services.invitation_link(invitation))
    scale = page.get_by_role("group", name=QUESTION)
    scale.wait_for()

    scale.locator("label[for=score-3]").click()
    assert page.get_by_role("radio", name="3", exact=True).is_checked()
    page.keyboard.press("ArrowRight")  # a native radio group: the arrows move the choice
    assert page.get_by_role("radio", name="4", exact=True).is_checked()
    page.keyboard.press("ArrowLeft")
    assert page.get_by_role("radio", name="3", exact=True).is_checked()
    page.get_by_label("What is the main reason for your answer?").fill(COMMENT)
    page.get_by_role("button", name="Send my answer").click()

    page.get_by_role("heading", name="Thank you").wait_for()
    assert "Thank you for your answer." in page.content()
    response = Response.objects.get(invitation=invitation)
    assert (response.score, response.comment) == (3, COMMENT)
    follow_up = FollowUp.objects.get(response=response, status=FollowUp.Status.OPEN)
    assert follow_up.assigned_to == manager

    page.goto("/login/?next=/customers/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customers").wait_for()
    page.goto(invitation.customer.get_absolute_url())

    panel = page.get_by_role("region", name="Satisfaction")
    answer = panel.locator("#survey-answers tbody tr").filter(has_text=invitation.survey.name)
    answer.wait_for()
    assert answer.locator("td").filter(has_text="3").count() >= 1
    assert COMMENT in answer.inner_text()
    follow_ups_panel = page.get_by_role("region", name="Survey follow-ups")
    follow_ups = follow_ups_panel.locator("#survey-follow-ups tbody tr").filter(
        has_text=follow_up.reason
    )
    assert follow_ups.count() == 1
    assert follow_up.due_on.isoformat() in follow_ups.inner_text()


def test_the_survey_fits_a_phone_with_large_tap_targets(page, invitation):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(services.invitation_link(invitation))
    page.get_by_role("group", name=QUESTION).wait_for()

    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    for score in range(0, 11):
        box = page.locator(f"label[for=score-{score}]").bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (score, box)
    send = page.get_by_role("button", name="Send my answer").bounding_box()
    assert send["height"] >= 44

    page.get_by_role("button", name="Send my answer").click()  # no score: the browser asks
    assert page.get_by_role("radio", name="0", exact=True).evaluate("e => !e.validity.valid")
    assert not Response.objects.exists()


def _log_in(page, user):
    page.goto("/login/?next=/customers/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Customers").wait_for()


def test_the_customer_panel_fits_a_phone_in_labelled_lines(page, invitation, manager):
    services.response_submit(invitation=invitation, score=3, comment=COMMENT)
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, manager)
    page.goto(invitation.customer.get_absolute_url())
    page.get_by_role("heading", name="Survey follow-ups").wait_for()

    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    for table in ("#survey-answers", "#survey-follow-ups"):
        cells = page.locator(f"{table} tbody td")
        # Each cell is a line of its own, labelled, the header row hidden.
        assert cells.evaluate_all("cs => cs.map(c => getComputedStyle(c).display)") == (
            ["block"] * cells.count()
        )
    for date in (
        "#survey-answers td[data-label=Answered]",
        "#survey-follow-ups td[data-label=Due]",
    ):
        # A date is never broken across lines: its cell is one line high.
        height, line = page.locator(date).evaluate(
            "c => [c.getBoundingClientRect().height, parseFloat(getComputedStyle(c).lineHeight)]"
        )
        assert height < 2 * line, (date, height, line)
    assert "Answered: " in page.locator("#survey-answers td[data-label=Answered]").evaluate(
        "c => getComputedStyle(c, '::before').content"
    )
