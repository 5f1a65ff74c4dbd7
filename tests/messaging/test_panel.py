"""The messages panel of the customer page: the latest lifecycle messages, sent or waiting,
shown only to staff allowed to see the outbox."""

import pytest

from customers.models import Customer
from customers.services import customer_suspend
from messaging.selectors import customer_messages
from tests.customers.test_customer_page_permissions import _page  # the page as one user
from tests.customers.viewers import custom_group_member

PANEL = 'id="messages-h"'


@pytest.fixture
def notified(reachable):
    customer = reachable(Customer.Status.ACTIVE)
    customer_suspend(customer=customer, actor=None, reason="customer_request")  # it waits
    return customer


def test_staff_who_may_see_the_outbox_see_each_message_with_its_status(client, notified):
    viewer = custom_group_member("customers.view_customer", "messaging.view_outboundmessage")

    page = _page(client, viewer, notified)

    assert PANEL in page
    assert "Suspension notice" in page and "E-mail" in page and "waiting" in page


def test_staff_without_the_permission_see_no_panel(client, notified):
    page = _page(client, custom_group_member("customers.view_customer"), notified)

    assert PANEL not in page and "Suspension notice" not in page


def test_the_panel_costs_one_query(notified, django_assert_num_queries):
    with django_assert_num_queries(1):
        [message] = customer_messages(notified)["messages"]
    assert message.event == "suspension"
