"""The value and risk panel of the customer page, and the score columns and filters of the
customer list, are shown only to someone allowed to see scores: every role, not a custom group
allowed only to view customers."""

import pytest
from django.urls import reverse

from customers import roles
from risk import services
from tests.customers.viewers import custom_group_member, role_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

SCORES_PANEL = 'id="scores-h"'


@pytest.fixture
def scored(established):
    [customer] = established(1)
    services.customer_rescore(customer=customer)
    return customer


def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("role", "may_rescore"),
    [
        (roles.AGENT, False),
        (roles.MANAGER, False),
        (roles.RISK_ANALYST, True),
        (roles.ADMINISTRATOR, True),
    ],
)
def test_every_role_sees_the_scores_and_only_analysts_rescore(client, scored, role, may_rescore):
    page = _page(client, role_member(role), scored.get_absolute_url())

    assert SCORES_PANEL in page and "Churn risk (90 days)" in page
    assert ("Rescore now" in page) is may_rescore


@pytest.mark.parametrize(
    "permissions",
    [
        ("customers.view_customer",),
        # The panel also draws the trend from the score history.
        ("customers.view_customer", "customers.view_latestscores"),
    ],
)
def test_a_custom_group_without_the_score_permissions_sees_no_scores(client, scored, permissions):
    page = _page(client, custom_group_member(*permissions), scored.get_absolute_url())

    assert SCORES_PANEL not in page and "Churn risk" not in page


def test_a_custom_group_with_the_score_permissions_sees_the_panel(client, scored):
    viewer = custom_group_member(
        "customers.view_customer", "customers.view_latestscores", "risk.view_customerscore"
    )

    page = _page(client, viewer, scored.get_absolute_url())

    assert SCORES_PANEL in page and "Rescore now" not in page


def test_the_customer_list_shows_scores_only_to_those_who_may_see_them(client, scored, agent):
    with_scores = _page(client, agent, reverse("customers:list"))
    without = _page(
        client, custom_group_member("customers.view_customer"), reverse("customers:list")
    )

    assert "Churn risk</a></th>" in with_scores and 'name="value_segment"' in with_scores
    assert scored.number in without
    assert "Churn risk" not in without and 'name="value_segment"' not in without
    assert "Highest churn risk" not in without


def test_the_customer_list_refuses_a_score_sort_to_those_who_may_not_see_scores(client, scored):
    url = reverse("customers:list") + "?sort=churn"

    page = _page(client, custom_group_member("customers.view_customer"), url)

    assert "Select a valid choice" in page
    assert scored.number not in page


def test_the_customer_list_ignores_score_filters_of_those_who_may_not_see_scores(client, scored):
    url = reverse("customers:list") + "?churn_at_least=0.7&value_segment=top"

    page = _page(client, custom_group_member("customers.view_customer"), url)

    assert scored.number in page


@pytest.mark.parametrize(
    ("url", "permissions"),
    [
        (reverse("risk:retention"), ("customers.view_latestscores",)),
        (reverse("risk:overview"), ("risk.view_scoringrun",)),
    ],
)
def test_the_risk_pages_need_every_permission_of_what_they_show(client, url, permissions):
    client.force_login(custom_group_member(*permissions))

    assert client.get(url).status_code == 403
