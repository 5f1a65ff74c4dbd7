"""The open interactions list, resolving one and passing one on, through the staff pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.keyset import cursor_encode
from customers.models import ActionLog, Interaction
from customers.services import interaction_record

pytestmark = pytest.mark.django_db

OPEN = reverse("customers:open_interactions")


def _open(customer, actor, summary="Line drops every evening", **fields):
    return interaction_record(
        customer=customer,
        actor=actor,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.INBOUND,
        kind=fields.pop("kind", Interaction.Kind.SUPPORT),
        summary=summary,
        outcome=fields.pop("outcome", Interaction.Outcome.OPEN),
        **fields,
    )


def _resolve_url(interaction):
    return reverse(
        "customers:interaction_resolve", args=[interaction.customer.number, interaction.pk]
    )


def _assign_url(interaction):
    return reverse(
        "customers:interaction_assign", args=[interaction.customer.number, interaction.pk]
    )


def test_the_list_shows_mine_unassigned_and_everyones_open_interactions(
    client, active_customer, agent, other_agent
):
    _open(active_customer, agent, "Mine to solve")
    _open(active_customer, other_agent, "Bob's to solve")
    _open(active_customer, "job:ivr", "Left by the IVR")
    _open(active_customer, agent, "Already sorted", outcome=Interaction.Outcome.RESOLVED)
    client.force_login(agent)

    pages = {
        show: client.get(OPEN, {"show": show}).content.decode()
        for show in ("mine", "unassigned", "all")
    }

    assert "Mine to solve" in pages["mine"] and "Bob&#x27;s to solve" not in pages["mine"]
    assert "Left by the IVR" in pages["unassigned"] and "Mine to solve" not in pages["unassigned"]
    assert all(text in pages["all"] for text in ("Mine to solve", "Bob&#x27;s", "Left by"))
    assert "Already sorted" not in pages["all"]
    assert client.get(OPEN).context["show"] == "mine"


def test_the_list_pages_oldest_first_with_the_shared_keyset_pager(
    client, active_customer, agent, monkeypatch
):
    monkeypatch.setattr("customers.interaction_selectors.PAGE_SIZE", 2)
    start = timezone.now() - datetime.timedelta(days=3)
    for hours in range(5):
        _open(
            active_customer,
            agent,
            f"Waiting {hours}",
            occurred_at=start + datetime.timedelta(hours=hours),
        )
    client.force_login(agent)

    first = client.get(OPEN, {"show": "all"})
    second = client.get(OPEN, {"show": "all", "after": first.context["page"].next_cursor})
    back = client.get(OPEN, {"show": "all", "before": second.context["page"].previous_cursor})

    def summaries(response):
        return [row.summary for row in response.context["page"].rows]

    assert summaries(first) == ["Waiting 0", "Waiting 1"]
    assert summaries(second) == ["Waiting 2", "Waiting 3"]
    assert summaries(back) == summaries(first)


@pytest.mark.parametrize(
    "cursor", ["not-a-cursor", cursor_encode(["yesterday", "x"]), cursor_encode([1]), "%%%"]
)
def test_a_tampered_page_link_is_a_message_not_an_error(client, agent, cursor):
    client.force_login(agent)

    response = client.get(OPEN, {"show": "all", "after": cursor})

    assert response.status_code == 200
    assert "page link" in response.content.decode()


def test_resolving_from_the_list_closes_it_and_goes_back_to_the_list(
    client, active_customer, agent
):
    interaction = _open(active_customer, agent)
    client.force_login(agent)
    back = f"{OPEN}?show=all"

    form = client.get(_resolve_url(interaction), {"next": back})
    done = client.post(
        _resolve_url(interaction), {"outcome": "resolved", "note": "Reset port", "next": back}
    )
    again = client.post(_resolve_url(interaction), {"outcome": "resolved"})

    assert form.status_code == 200 and "Line drops every evening" in form.content.decode()
    assert (done.status_code, done.url) == (302, back)
    interaction.refresh_from_db()
    assert (interaction.outcome, interaction.closed_by) == ("resolved", agent)
    assert again.status_code == 200 and "closed already" in again.content.decode()
    assert ActionLog.objects.filter(action="interaction.resolved").count() == 1


def test_a_resolve_without_an_outcome_is_a_form_error(client, active_customer, agent):
    interaction = _open(active_customer, agent)
    client.force_login(agent)

    response = client.post(_resolve_url(interaction), {"outcome": "escalated"})

    assert response.status_code == 200 and response.context["form"].errors["outcome"]
    assert Interaction.objects.get(pk=interaction.pk).closed_at is None


def test_an_interaction_is_only_reached_through_its_own_customer(
    client, active_customer, other_active_customer, agent
):
    interaction = _open(active_customer, agent)
    client.force_login(agent)

    wrong = reverse(
        "customers:interaction_resolve", args=[other_active_customer.number, interaction.pk]
    )

    assert client.post(wrong, {"outcome": "resolved"}).status_code == 404
    assert client.get(reverse("customers:interaction_resolve", args=["C999", 1])).status_code == 404


def test_passing_an_interaction_on_offers_colleagues_who_may_resolve_it(
    client, active_customer, agent, other_agent, manager, analyst
):
    interaction = _open(active_customer, agent)
    client.force_login(agent)

    page = client.get(_assign_url(interaction))
    given = client.post(_assign_url(interaction), {"owner": other_agent.pk})
    refused = client.post(_assign_url(interaction), {"owner": analyst.pk})

    offered = [u.username for u in page.context["form"].fields["owner"].queryset]
    assert offered == ["alice", "bob", "margaret"]
    assert (given.status_code, given.url) == (302, OPEN)
    assert Interaction.objects.get(pk=interaction.pk).owner == other_agent
    assert refused.status_code == 200 and refused.context["form"].errors["owner"]


def test_analysts_see_the_list_but_neither_resolve_nor_assign(
    client, active_customer, agent, analyst
):
    interaction = _open(active_customer, agent)
    client.force_login(analyst)

    listed = client.get(OPEN, {"show": "all"})

    assert listed.status_code == 200 and "Line drops" in listed.content.decode()
    assert "Resolve</a>" not in listed.content.decode()
    assert client.post(_resolve_url(interaction), {"outcome": "resolved"}).status_code == 403
    assert client.post(_assign_url(interaction), {"owner": analyst.pk}).status_code == 403


def test_the_customer_timeline_shows_the_owner_and_a_resolve_link(client, active_customer, agent):
    interaction = _open(active_customer, agent)
    _open(active_customer, agent, "Closed call", outcome=Interaction.Outcome.RESOLVED)
    client.force_login(agent)

    page = client.get(active_customer.get_absolute_url()).content.decode()

    assert "owner: alice" in page
    assert f'href="{_resolve_url(interaction)}"' in page
    assert page.count(">Resolve</a>") == 1
