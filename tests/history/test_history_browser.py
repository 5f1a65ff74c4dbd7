"""The History panel and page in a real browser: they fit at 1280 and 390 px and axe-core finds
no serious or critical violation. Screenshots go to test-artifacts/screens/."""

import pytest
from django.contrib.auth.models import Group

from customers import roles
from customers.services import customer_update
from customers.services.contacts import ContactMediumInput
from tests.crm import test_browser_layout as layout
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

axe = layout.axe  # the browser with axe-core loaded, as the layout checks use it


@pytest.fixture
def manager(db):
    user = UserFactory(username="margaret")
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    return user


@pytest.fixture
def changed_customer(manager):
    customer = CustomerFactory(
        actor=manager,
        given_name="Maximiliana",
        family_name="Wolkenstein-Rodenegg",
        contact_media=[ContactMediumInput(kind="email", value="maximiliana@example.com")],
    )
    customer_update(customer=customer, actor=manager, national_id="AB123456C")
    customer_update(
        customer=customer,
        actor=manager,
        family_name="Wolkenstein-Rodenegg-Trostburg",
        segment="small_business",
        account_manager=manager,
    )
    return customer


def test_the_history_panel_and_page_fit_and_pass_axe(axe, manager, changed_customer):
    layout._signed_in(axe, manager)
    axe.goto(changed_customer.get_absolute_url())
    panel = axe.locator(".history-panel")
    panel.wait_for()
    layout.SCREENS.mkdir(parents=True, exist_ok=True)
    for width in layout.WIDTHS:
        axe.set_viewport_size({"width": width, "height": 900})
        panel.screenshot(path=str(layout.SCREENS / f"history-panel_{width}.png"))
    problems = layout._problems(axe, "history-customer")

    axe.goto(f"/customers/{changed_customer.number}/history/")
    problems += layout._problems(axe, "history-page")

    assert problems == []
