"""The statements panel of the customer page: the latest statements with their downloads and
a link to all of them, shown only to staff allowed to read statements."""

import pytest
from django.urls import reverse

from customers import roles
from tests.customers.test_customer_page_permissions import _page  # the page as one user
from tests.customers.viewers import custom_group_member, role_member

from .test_runs import run_here

PANEL = 'id="statements-h"'


@pytest.fixture
def stated(seeded):
    from statements.runs import statement_run_start

    run_here(statement_run_start(period="2026-11"))
    return seeded


@pytest.mark.parametrize("role", [roles.AGENT, roles.MANAGER, roles.RISK_ANALYST])
def test_staff_who_read_statements_see_the_latest_with_their_downloads(client, stated, role):
    statement = stated.statements.get()

    page = _page(client, role_member(role), stated)

    assert PANEL in page
    assert reverse("statements:download", args=[statement.pk, "pdf"]) in page
    assert reverse("statements:download", args=[statement.pk, "html"]) in page
    assert reverse("statements:customer", args=[stated.number]) in page


def test_staff_who_may_not_read_statements_see_no_panel(client, stated):
    page = _page(client, custom_group_member("customers.view_customer"), stated)

    assert PANEL not in page and "statements:download" not in page


def test_the_panel_costs_one_query(stated, django_assert_num_queries):
    from statements.selectors import customer_statements_panel

    with django_assert_num_queries(1):
        assert len(customer_statements_panel(stated)["statements"]) == 1
