"""Headless Chromium: a manager's day in the staff UI, from sign-in to a saved view.

Signs in and lands on the home page, opens a task from it, finds a customer by a mistyped name
in the header's search, filters the customer list, gives fifty leads an account manager in one
bulk action, exports the filtered list and reads the file, and saves the filters as a view.
"""

import csv
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from crm.savedviews.models import SavedView
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory
from work.services import task_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="typos need pg_trgm"),
]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def the_day(manager):
    """The manager's book: a customer with a task due today, and fifty new leads."""
    hughes = CustomerFactory(actor=manager, given_name="Thomas", family_name="Hughes")
    task_create(
        customer=hughes,
        title="Call back about the roaming bill",
        owner=manager,
        due_on=timezone.localdate(),
        actor=manager,
    )
    for n in range(50):
        CustomerFactory(actor=manager, given_name=f"Lena{n:02}", family_name="Walker")
    return hughes


def test_a_managers_day_from_home_to_a_saved_view(browser_page, manager, the_day):
    colleague = UserFactory(username="kim", is_staff=True)
    colleague.groups.set(manager.groups.all())
    page = browser_page

    page.goto("/login/")
    page.get_by_label("Username").fill(manager.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Home", level=1).wait_for()

    page.get_by_role("link", name="Call back about the roaming bill").click()
    page.wait_for_url(re.compile(f"/customers/{the_day.number}/"))

    box = page.get_by_role("combobox", name="Search")
    box.press_sequentially("thomas hugehs", delay=40)
    suggestion = page.get_by_role("listbox", name="Suggestions").get_by_role("option").first
    suggestion.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(f"/customers/{the_day.number}/$"))

    page.goto("/customers/?q=walker&status=lead")
    page.get_by_text("50 customers").wait_for()
    page.get_by_label("Action").select_option(label="Assign account manager")
    page.get_by_role("button", name="Apply to all 50 filtered").click()
    page.get_by_label("Account manager").select_option(label="kim")
    page.get_by_role("button", name=re.compile(r": 50 customers$")).click()
    page.get_by_role("heading", name=re.compile("50 of 50 done")).wait_for()
    walkers = Customer.objects.filter(party__family_name="Walker")
    assert set(walkers.values_list("account_manager__username", flat=True)) == {"kim"}

    page.goto("/customers/?q=walker&status=lead")
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.reader(exported))
    assert len(rows) == 51
    assert {row[0] for row in rows[1:]} == set(walkers.values_list("number", flat=True))

    page.get_by_label("Save these filters as").fill("New Walker leads")
    page.get_by_role("button", name="Save view").click()
    page.get_by_role("link", name="New Walker leads").wait_for()
    view = SavedView.objects.get(owner=manager)
    assert "q=walker" in view.query and "status=lead" in view.query
    assert timezone.now() - view.created_at < timedelta(minutes=5)
