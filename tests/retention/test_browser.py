"""The campaign pages at 1280 and 390 px in headless Chromium: nothing scrolls sideways and
axe-core finds no serious or critical violation (the checks of tests/crm/test_browser_layout)."""

import pytest

from customers.models import Customer
from retention.models import Campaign, CampaignMember
from retention.services.campaigns import campaign_start, member_outcome_record
from tests.crm.test_browser_layout import (  # noqa: F401  (fixtures)
    _problems,
    _signed_in,
    _tick,
    administrator,
    axe,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_campaign_pages_fit_and_pass_axe(axe, administrator, seeded):  # noqa: F811
    ids = seeded(40)
    campaign = campaign_start(
        customers=Customer.objects.filter(pk__in=ids),
        actor=administrator,
        name="Winter loyalty call with a deliberately long name to wrap on a phone",
        action=Campaign.Action.CALL,
        offer="Three months at half price on the current plan, or a free roaming pack",
        control_share=25,
    ).campaign
    treated = campaign.members.filter(group=CampaignMember.Group.TREATED).first()
    member_outcome_record(
        member=treated, actor=administrator, outcome="accepted", note="Took the roaming pack"
    )
    _signed_in(axe, administrator)
    problems = []
    for name, path in {
        "campaigns": "/retention/",
        "campaign": campaign.get_absolute_url(),
        "campaign-start": "/retention/new/?list=retention&scope=all&query=",
        "campaign-outcome": f"/retention/members/{treated.pk}/outcome/",
        "customer-campaigns": treated.customer.get_absolute_url(),
    }.items():
        axe.goto(path)
        problems += _problems(axe, name)
    # Ticked rows of the retention list go to the start page through the list's bulk bar.
    _tick(axe, "/risk/retention/", 2)
    axe.get_by_role("button", name="Start a campaign for the ticked rows").click()
    axe.get_by_text("The selection holds 2 customers").wait_for()
    problems += _problems(axe, "campaign-start-ticked")
    assert not problems, "\n".join(problems)
