"""The customer list and the duplicate review say what each date is: a relationship's start for
an established customer, the day a lead or prospect was created; the list fits a page with
addresses that break only between their parts."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.identity.matching import Match
from customers.identity.services.identity import duplicate_pair_record
from customers.models import Customer
from customers.selectors import customer_list
from customers.templatetags.customer_tags import email_display
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST = reverse("customers:list")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _since_cells(page: str) -> dict[str, str]:
    """Customer number -> the text of its "Since" cell."""
    rows = re.findall(r"<tr>(.*?)</tr>", page, re.S)
    cells = {}
    for row in rows:
        number = re.search(r'data-label="Number"[^>]*>.*?>(C\d+)<', row, re.S)
        since = re.search(r'<td class="since">(.*?)</td>', row, re.S)
        if number and since:
            cells[number.group(1)] = _text(since.group(1))
    return cells


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}"


def test_the_list_heads_the_date_column_with_a_name_true_for_every_row(client, agent, lead):
    client.force_login(agent)

    page = client.get(LIST).content.decode()

    headers = re.findall(r"<th[^>]*>(.*?)</th>", page)
    assert "Since" in headers
    assert "Customer since" not in headers


def test_each_row_says_what_its_date_is(client, agent, lead):
    prospect = CustomerFactory(actor=agent, status=Customer.Status.PROSPECT)
    active = CustomerFactory(actor=agent, status=Customer.Status.ACTIVE)
    client.force_login(agent)

    cells = _since_cells(client.get(LIST).content.decode())

    assert cells[lead.number] == f"Lead since {_day(lead.created_at)}"
    assert cells[prospect.number] == f"Created {_day(prospect.created_at)}"
    assert cells[active.number] == f"Customer since {_day(active.valid_from)}"


def test_a_former_customer_row_says_until_when(client, agent):
    former = CustomerFactory(actor=agent, status=Customer.Status.TERMINATED)
    client.force_login(agent)

    cells = _since_cells(client.get(LIST).content.decode())

    assert cells[former.number] == (
        f"Customer since {_day(former.valid_from)} until {_day(former.valid_to)}"
    )


def test_the_list_reads_what_each_row_is_counted_from_without_a_query_per_row(
    agent, django_assert_max_num_queries
):
    for _ in range(3):
        CustomerFactory(actor=agent)
    CustomerFactory(actor=agent, status=Customer.Status.ACTIVE)

    with django_assert_max_num_queries(3):
        page = customer_list()

    assert [row.since.label for row in page.rows] == ["Customer since"] + ["Lead since"] * 3


def test_the_duplicate_review_calls_a_lead_a_lead(client, manager):
    lead = CustomerFactory(actor=manager, family_name="Twin")
    active = CustomerFactory(actor=manager, family_name="Twin", status=Customer.Status.ACTIVE)
    candidate = duplicate_pair_record(
        first=lead,
        second=active,
        match=Match(score=0.9, reasons=["same name"], decision="probable"),
        source="scan",
    )
    client.force_login(manager)

    page = client.get(reverse("identity:duplicate_review", args=[candidate.pk])).content
    facts = _text(page.decode())

    assert f"Lead since {_day(lead.created_at)}" in facts
    assert f"Customer since {_day(active.valid_from)}" in facts
    assert facts.count("Customer since") == 1


def test_an_email_address_breaks_only_before_its_at_sign_and_dots():
    assert str(email_display("jo.smith@mail.example.com")) == (
        "jo<wbr>.smith<wbr>@mail<wbr>.example<wbr>.com"
    )
    assert str(email_display("<b>@x.org")) == "&lt;b&gt;<wbr>@x<wbr>.org"
    assert str(email_display("")) == ""
