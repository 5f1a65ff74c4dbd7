"""The campaign pages: starting one from the retention list, its figures and members, outcomes
recorded from the member list and the customer page, hostile input, permissions."""

import pytest
from django.urls import reverse

from customers.models import ActionLog, Customer
from retention.models import Campaign, CampaignMember
from retention.services.campaigns import campaign_start

START = reverse("retention:start")


def _fields(**changes):
    return {
        "confirmed": "yes",
        "list": "retention",
        "scope": "selected",
        "query": "",
        "name": "Call the top customers",
        "action": "call",
        "offer": "A free month",
        "control_share": "20",
        "window_months": "3",
        **changes,
    }


@pytest.fixture
def campaign(seeded, campaigner):
    ids = seeded(10)
    return campaign_start(
        customers=Customer.objects.filter(pk__in=ids),
        actor=campaigner,
        name="Loyalty call",
        action=Campaign.Action.CALL,
        control_share=30,
        seed=5,
    ).campaign


def _treated(campaign):
    return campaign.members.filter(group=CampaignMember.Group.TREATED).first()


def test_ticked_rows_of_the_retention_list_start_a_campaign(client, seeded, campaigner):
    ids = seeded(10)
    client.force_login(campaigner)
    first = client.post(START, {"list": "retention", "scope": "selected", "ids": ids})
    assert first.status_code == 200
    assert b"will join the campaign" in first.content
    response = client.post(START, _fields(ids=ids))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert (campaign.treated_count, campaign.control_count) == (8, 2)
    assert campaign.created_by == campaigner


def test_the_start_page_says_how_many_are_skipped(client, seeded, campaigner, campaign):
    client.force_login(campaigner)
    ids = list(campaign.members.values_list("customer_id", flat=True)) + seeded(5)
    response = client.post(START, _fields(ids=ids), follow=True)
    assert b"10 skipped: already in a running campaign" in response.content


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"control_share": "0"}, b"greater than or equal to 5"),
        ({"control_share": "100"}, b"less than or equal to 50"),
        ({"action": "bribe"}, b"Select a valid choice"),
        ({"name": ""}, b"This field is required"),
    ],
)
def test_hostile_campaign_fields_are_form_errors(client, seeded, campaigner, changes, error):
    ids = seeded(10)
    client.force_login(campaigner)
    response = client.post(START, _fields(ids=ids, **changes))
    assert response.status_code == 400
    assert error in response.content
    assert not Campaign.objects.exists()


def test_an_empty_selection_is_an_error_not_a_campaign(client, campaigner):
    client.force_login(campaigner)
    response = client.post(START, _fields())
    assert response.status_code == 400
    assert b"Tick the customers" in response.content
    assert not Campaign.objects.exists()


def test_broken_ticks_and_unknown_lists_are_errors(client, campaigner):
    client.force_login(campaigner)
    assert client.post(START, _fields(ids=["x"])).status_code == 400
    assert client.post(START, _fields(ids=[str(2**70)])).status_code == 400
    assert client.post(START, _fields(list="nope", scope="all")).status_code == 400


def test_the_retention_lists_filters_start_a_campaign_for_all_it_shows(client, seeded, campaigner):
    seeded(12)
    client.force_login(campaigner)
    response = client.get(START, {"list": "retention", "scope": "all", "query": ""})
    assert response.status_code == 200
    assert b"<strong>12</strong> will join" in response.content


def test_an_agent_may_not_start_a_campaign(client, seeded, agent):
    ids = seeded(10)
    client.force_login(agent)
    assert client.get(START, {"list": "retention"}).status_code == 403
    assert client.post(START, _fields(ids=ids)).status_code == 403
    assert not Campaign.objects.exists()


def test_the_retention_list_offers_the_campaign_to_those_who_may_start_one(
    client, seeded, campaigner, agent
):
    seeded(3)
    client.force_login(campaigner)
    assert b"Start a retention campaign" in client.get(reverse("risk:retention")).content


def test_the_campaign_list_and_page_show_the_figures(client, campaigner, campaign):
    client.force_login(campaigner)
    listing = client.get(reverse("retention:list"))
    assert listing.status_code == 200
    assert b"Loyalty call" in listing.content
    page = client.get(campaign.get_absolute_url())
    assert page.status_code == 200
    assert b"campaign-uplift" in page.content
    assert b"Save rate so far" in page.content
    assert page.content.count(b'<tr><th scope="row">') >= 2
    filtered = client.get(campaign.get_absolute_url(), {"group": "control"})
    assert filtered.content.count(b'data-label="Group">Control') == 3


def test_the_campaign_list_exports_as_csv(client, campaigner, campaign):
    client.force_login(campaigner)
    response = client.post(reverse("exports:start", args=["campaigns"]), {"format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Loyalty call" in body


def test_closing_a_campaign_from_its_page(client, campaigner, campaign):
    client.force_login(campaigner)
    response = client.post(reverse("retention:close", args=[campaign.pk]))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED
    assert not campaign.members.filter(in_running_campaign=True).exists()


def test_an_agent_may_not_close_a_campaign(client, outcome_agent, campaign):
    client.force_login(outcome_agent)
    assert client.post(reverse("retention:close", args=[campaign.pk])).status_code == 403


def test_an_agent_records_an_outcome_from_the_member_list(client, outcome_agent, campaign):
    member = _treated(campaign)
    client.force_login(outcome_agent)
    url = reverse("retention:outcome", args=[member.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"outcome": "accepted", "note": "Took the free month"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.outcome, member.outcome_note, member.outcome_by) == (
        "accepted",
        "Took the free month",
        outcome_agent,
    )
    logged = ActionLog.objects.get(action="retention.outcome_recorded")
    assert logged.customer_id == member.customer_id
    assert logged.data["outcome"] == "accepted"


def test_recording_the_same_outcome_twice_logs_it_once(client, outcome_agent, campaign):
    member = _treated(campaign)
    client.force_login(outcome_agent)
    url = reverse("retention:outcome", args=[member.pk])
    for _ in range(2):
        client.post(url, {"outcome": "declined", "note": ""})
    assert ActionLog.objects.filter(action="retention.outcome_recorded").count() == 1


def test_the_customer_page_panel_records_an_outcome(client, outcome_agent, campaign):
    member = _treated(campaign)
    client.force_login(outcome_agent)
    page = client.get(member.customer.get_absolute_url())
    assert f'id="campaign-outcome-{member.pk}"'.encode() in page.content
    response = client.post(
        reverse("retention:outcome", args=[member.pk]),
        {"outcome": "not_reached", "note": "", "next": member.customer.get_absolute_url()},
    )
    assert response["Location"] == member.customer.get_absolute_url()
    member.refresh_from_db()
    assert member.outcome == "not_reached"


def test_the_panel_tells_agents_to_leave_control_customers_alone(client, outcome_agent, campaign):
    member = campaign.members.filter(group=CampaignMember.Group.CONTROL).first()
    client.force_login(outcome_agent)
    page = client.get(member.customer.get_absolute_url())
    assert b"do not make this campaign's offer" in page.content
    assert f'id="campaign-outcome-{member.pk}"'.encode() not in page.content


def test_no_outcome_is_recorded_for_a_control_customer(client, outcome_agent, campaign):
    member = campaign.members.filter(group=CampaignMember.Group.CONTROL).first()
    client.force_login(outcome_agent)
    response = client.post(reverse("retention:outcome", args=[member.pk]), {"outcome": "accepted"})
    assert response.status_code == 400
    assert b"held out as control" in response.content


def test_an_unknown_outcome_is_a_form_error(client, outcome_agent, campaign):
    member = _treated(campaign)
    client.force_login(outcome_agent)
    response = client.post(reverse("retention:outcome", args=[member.pk]), {"outcome": "bribed"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content


def test_a_risk_analyst_may_not_record_outcomes(client, analyst, campaign):
    client.force_login(analyst)
    member = _treated(campaign)
    url = reverse("retention:outcome", args=[member.pk])
    assert client.post(url, {"outcome": "accepted"}).status_code == 403


def test_an_outcome_in_the_future_is_a_form_error(client, outcome_agent, campaign):
    member = _treated(campaign)
    client.force_login(outcome_agent)
    response = client.post(
        reverse("retention:outcome", args=[member.pk]),
        {"outcome": "contacted", "at": "2099-01-01T10:00"},
    )
    assert response.status_code == 400
    assert b"for a time to come" in response.content


def test_the_customer_lists_filters_start_a_campaign_too(client, seeded, campaigner):
    seeded(4)
    seeded(2, status=Customer.Status.TERMINATED)
    client.force_login(campaigner)
    response = client.get(START, {"list": "customers", "scope": "all", "query": "status=active"})
    assert response.status_code == 200
    assert b"holds <strong>4</strong> customers" in response.content


def test_unknown_and_absurd_ids_are_not_found(client, outcome_agent):
    client.force_login(outcome_agent)
    assert client.get("/retention/99999999999999999999999/").status_code == 404
    assert client.get("/retention/members/99999999999999999999/outcome/").status_code == 404


def test_managers_and_risk_analysts_start_campaigns_and_agents_record_their_outcomes():
    from customers import roles

    assert set(roles.roles_holding("retention.start_campaign")) >= {
        roles.MANAGER,
        roles.RISK_ANALYST,
    }
    assert roles.AGENT not in roles.roles_holding("retention.start_campaign")
    assert roles.AGENT in roles.roles_holding("retention.record_outcome")
    assert roles.RISK_ANALYST not in roles.roles_holding("retention.record_outcome")
