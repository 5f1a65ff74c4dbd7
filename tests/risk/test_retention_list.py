"""The retention work list's headers sort it by value at risk (the default), churn risk or
lifetime value; it says how many customers its filters select; its export and its saved views
keep the sort."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.savedviews.models import SavedView
from customers.models import LatestScores
from risk import services as risk_services
from risk.selectors import RETENTION_SORTS, retention_work_list
from tests.risk.test_retention_export import _content, _csv_rows

pytestmark = pytest.mark.django_db

RETENTION = reverse("risk:retention")
START = reverse("exports:start", args=["retention"])
SAVE = reverse("savedviews:save", args=["retention"])


@pytest.fixture
def scored(established):
    """Three customers, each first by one sort: ``at_risk`` by value at risk, ``churning`` by
    churn risk, ``valuable`` by lifetime value."""
    at_risk, churning, valuable = established(3)
    for customer in (at_risk, churning, valuable):
        risk_services.customer_rescore(customer=customer)
    for customer, value_at_risk, churn_risk, lifetime_value in (
        (at_risk, "900.00", 0.5, "1800.00"),
        (churning, "300.00", 0.9, "333.33"),
        (valuable, "100.00", 0.02, "5000.00"),
    ):
        LatestScores.objects.filter(customer=customer).update(
            value_at_risk=Decimal(value_at_risk),
            churn_risk=churn_risk,
            lifetime_value=Decimal(lifetime_value),
            value_segment="top",
        )
    return at_risk, churning, valuable


def _header(text: str, label: str) -> str:
    """The opening tag and content of the column header ``label``."""
    return re.search(rf"<th[^>]*>(?:(?!</th>).)*>{label}</a></th>", text, re.S).group(0)


def _listed(client, **params) -> list:
    response = client.get(RETENTION, params)
    assert response.status_code == 200
    return [row.customer for row in response.context["page"].rows]


def test_the_list_comes_by_value_at_risk_and_its_header_says_so(client, agent, scored):
    at_risk, churning, valuable = scored
    client.force_login(agent)

    text = client.get(RETENTION, {"value_segment": "top"}).content.decode()

    header = _header(text, "Value at risk")
    assert 'aria-sort="descending"' in header
    assert 'href="?value_segment=top&amp;sort=value_at_risk"' in header
    churn = _header(text, "Churn risk")
    assert 'aria-sort="none"' in churn and 'href="?value_segment=top&amp;sort=churn"' in churn
    assert 'aria-sort="none"' in _header(text, "Lifetime value")
    assert _listed(client) == [at_risk, churning, valuable]


@pytest.mark.parametrize(
    ("sort", "label", "order"),
    [("churn", "Churn risk", (1, 0, 2)), ("value", "Lifetime value", (2, 0, 1))],
)
def test_a_header_sorts_the_list_by_its_column_highest_first(
    client, agent, scored, sort, label, order
):
    client.force_login(agent)

    text = client.get(RETENTION, {"sort": sort}).content.decode()

    assert 'aria-sort="descending"' in _header(text, label)
    assert 'aria-sort="none"' in _header(text, "Value at risk")
    assert _listed(client, sort=sort) == [scored[n] for n in order]


@pytest.mark.parametrize("sort", list(RETENTION_SORTS))
def test_every_sort_pages_through_each_customer_once_in_its_order(scored, sort):
    whole = retention_work_list(sort=sort).rows
    first = retention_work_list(sort=sort, page_size=2)
    second = retention_work_list(sort=sort, page_size=2, after=first.next_cursor)
    back = retention_work_list(sort=sort, page_size=2, before=second.previous_cursor)

    assert [row.pk for row in first.rows + second.rows] == [row.pk for row in whole]
    assert [row.pk for row in back.rows] == [row.pk for row in first.rows]


def test_an_unknown_sort_is_an_error_on_the_form_and_no_row_is_shown(client, agent, scored):
    client.force_login(agent)

    response = client.get(RETENTION, {"sort": "loudest"})

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "sort" in response.context["form"].errors


def test_the_list_says_how_many_customers_the_filters_select(client, agent, scored):
    client.force_login(agent)

    assert '<p class="list-count" id="retention-count">3 customers</p>' in (
        client.get(RETENTION).content.decode()
    )
    assert '<p class="list-count" id="retention-count">1 customer</p>' in (
        client.get(RETENTION, {"churn_at_least": "0.7"}).content.decode()
    )


def test_a_count_over_several_pages_counts_every_customer_not_the_page(scored):
    page = retention_work_list(page_size=2, counted=True)

    assert (len(page.rows), page.count.rows, page.count.exact) == (2, 3, True)


@pytest.mark.parametrize("sort", list(RETENTION_SORTS))
def test_the_export_lists_the_customers_in_the_order_of_the_list(client, agent, scored, sort):
    client.force_login(agent)

    rows = _csv_rows(_content(client.post(START, {"query": f"sort={sort}", "format": "csv"})))

    assert [row[0] for row in rows[1:]] == [c.number for c in _listed(client, sort=sort)]


def test_a_saved_view_keeps_the_sort_and_applies_it(client, agent, scored):
    client.force_login(agent)

    response = client.post(SAVE, {"query": "value_segment=top&sort=churn", "name": "Churning"})

    view = SavedView.objects.get(owner=agent, list_name="retention")
    assert view.query == "value_segment=top&sort=churn"
    page = client.get(response.url)
    assert page.context["page"].rows[0].customer == scored[1]
    assert 'aria-sort="descending"' in _header(page.content.decode(), "Churn risk")
