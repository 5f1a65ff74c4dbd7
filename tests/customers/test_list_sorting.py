"""Sortable column headers and the result count of the customer list."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from crm import counting
from customers.models import Customer
from customers.selectors import customer_list
from tests.factories import CustomerFactory

LIST = reverse("customers:list")


@pytest.fixture
def three(agent):
    return [CustomerFactory(actor=agent, family_name=name) for name in ("Cole", "Adams", "Baker")]


def _header(text: str, label: str) -> str:
    """The opening tag and content of the column header ``label``."""
    return re.search(rf"<th[^>]*>(?:(?!</th>).)*>{label}</a></th>", text, re.S).group(0)


def test_headers_link_to_each_indexed_sort_and_mark_the_current_one(client, agent, three):
    client.force_login(agent)
    text = client.get(LIST, {"status": "lead"}).content.decode()
    number, name = _header(text, "Number"), _header(text, "Name")
    assert 'aria-sort="descending"' in number and 'href="?status=lead&amp;sort=oldest"' in number
    assert 'aria-sort="none"' in name and 'href="?status=lead&amp;sort=name"' in name
    name = _header(client.get(LIST, {"sort": "name"}).content.decode(), "Name")
    assert 'aria-sort="ascending"' in name and 'href="?sort=name"' in name


def test_a_header_link_sorts_the_list(client, agent, three):
    client.force_login(agent)
    page = client.get(LIST, {"sort": "name"}).context["page"]
    assert [c.party.family_name for c in page.rows] == ["Adams", "Baker", "Cole"]


def test_the_list_says_how_many_customers_match(client, agent, three):
    client.force_login(agent)
    assert "3 customers" in client.get(LIST).content.decode()
    assert "1 customer<" in client.get(LIST, {"q": "Adams"}).content.decode()


def test_a_count_beyond_the_exact_limit_is_an_estimate_on_postgresql(agent, three):
    count = counting.rows_counted(Customer.objects.all(), exact_up_to=2)
    if connection.vendor == "postgresql":
        assert not count.exact and count.rows >= 3
    else:
        assert count.exact and count.rows == 3


def test_a_count_within_the_limit_is_exact(agent, three):
    page = customer_list(counted=True)
    assert (page.count.rows, page.count.exact) == (3, True)


def test_a_count_over_several_pages_is_counted_not_guessed_from_the_page(agent, three):
    page = customer_list(counted=True, page_size=2)
    assert (page.count.rows, page.count.exact) == (3, True)
