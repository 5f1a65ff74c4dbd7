"""The home page: / is each role's home, its blocks and figures escaped and linked to the
lists behind them, in a bounded number of queries whatever the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers.models import Interaction
from home.tallies import business_tallies_recount
from tests.factories import CustomerFactory, InteractionFactory


def _page(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_home_page_asks_anonymous_visitors_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_brand_link_leads_home(client, agent):
    assert f'class="brand" href="{reverse("home:home")}"' in _page(client, agent)


def test_an_agent_sees_their_work_but_not_the_managers_blocks(client, agent):
    page = _page(client, agent)
    assert 'id="work-interactions"' in page
    assert 'id="work-stale-leads"' in page
    assert 'id="work-duplicates"' not in page
    assert 'id="work-partners"' not in page
    assert 'id="work-failures"' not in page


def test_a_manager_sees_duplicates_and_partner_applications(client, manager):
    page = _page(client, manager)
    assert 'id="work-duplicates"' in page and 'id="work-partners"' in page
    assert 'id="work-failures"' not in page


def test_an_administrator_sees_failed_background_work(client, administrator):
    assert 'id="work-failures"' in _page(client, administrator)


def test_a_risk_analyst_sees_figures_but_no_interactions_to_work(client, analyst):
    page = _page(client, analyst)
    assert 'id="work-interactions"' not in page
    assert 'id="figure-value-at-risk"' in page


def test_figures_link_to_the_filtered_lists_behind_them(client, agent):
    CustomerFactory(actor=agent, status="active")
    business_tallies_recount()
    page = _page(client, agent)
    assert f'href="{reverse("customers:list")}?status=active"' in page
    assert f'href="{reverse("customers:list")}?status=terminated"' in page
    assert f'href="{reverse("risk:retention")}"' in page
    assert f'href="{reverse("customers:open_interactions")}?show=all&amp;kind=complaint"' in page
    assert "<svg" in page and 'role="img"' in page and "<table" in page


def test_names_are_escaped(client, agent):
    customer = CustomerFactory(actor=agent, family_name="<script>alert(1)</script>")
    InteractionFactory(
        customer=customer,
        actor=agent,
        owner=agent,
        outcome=Interaction.Outcome.OPEN,
        occurred_at=timezone.now(),
    )
    page = _page(client, agent)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_the_page_has_no_inline_style(client, administrator):
    business_tallies_recount()
    assert "style=" not in _page(client, administrator)


def _queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["agent", "manager", "administrator"])
def test_the_number_of_queries_does_not_grow_with_the_data(client, role, request):
    user = request.getfixturevalue(role)
    business_tallies_recount()
    before = _queries(client, user)
    for n in range(6):
        customer = CustomerFactory(actor=user, account_manager=user, family_name=f"Busy {n}")
        InteractionFactory(
            customer=customer, actor=user, owner=user, outcome=Interaction.Outcome.OPEN
        )
    business_tallies_recount()

    assert _queries(client, user) == before
    assert before <= 45
