"""Every follow-up has someone to call the customer: given on opening by a clear rule,
passed on with an audit, and the one who closed it is named."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from customers import roles
from customers.models import ActionLog, Interaction
from customers.services import interaction_record
from satisfaction import services
from satisfaction.models import FollowUp
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _staff(username, role):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


def _detractor_after_a_call(invite, survey, customer, handled_by):
    """The customer calls support, handled by ``handled_by``, is asked, and answers 2."""
    interaction = interaction_record(
        customer=customer,
        actor=handled_by,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.INBOUND,
        kind=Interaction.Kind.SUPPORT,
        summary="Line down",
        outcome=Interaction.Outcome.RESOLVED,
    )
    invitation = invite(survey, customer, key=f"interaction:{interaction.pk}")
    services.response_submit(invitation=invitation, score=2)
    return FollowUp.objects.get(customer=customer)


def test_without_an_account_manager_the_follow_up_goes_to_who_handled_the_touch_point(
    nps_survey, make_consenting_customer, invite, agent
):
    customer = make_consenting_customer()

    follow_up = _detractor_after_a_call(invite, nps_survey, customer, agent)

    assert follow_up.assigned_to == agent


def test_the_account_manager_comes_first_while_they_may_work_follow_ups(
    nps_survey, make_consenting_customer, invite, agent, manager
):
    customer = make_consenting_customer(account_manager=manager)

    assert _detractor_after_a_call(invite, nps_survey, customer, agent).assigned_to == manager


def test_a_departed_account_manager_is_passed_over(
    nps_survey, make_consenting_customer, invite, agent
):
    gone = _staff("gone", roles.MANAGER)
    gone.is_active = False
    gone.save()
    customer = make_consenting_customer(account_manager=gone)

    assert _detractor_after_a_call(invite, nps_survey, customer, agent).assigned_to == agent


def test_with_nobody_to_give_it_to_it_waits_in_the_unassigned_list(
    client, nps_survey, make_consenting_customer, invite, agent
):
    customer = make_consenting_customer()
    invitation = invite(nps_survey, customer, key="periodic:2026-01-01", touch_point="relationship")
    services.response_submit(invitation=invitation, score=1, comment="Nobody calls back")
    client.force_login(agent)

    unassigned = client.get(reverse("satisfaction:follow_ups"), {"show": "unassigned"})
    mine = client.get(reverse("satisfaction:follow_ups"))

    assert FollowUp.objects.get().assigned_to is None
    assert "Nobody calls back" in unassigned.content.decode()
    assert "Nobody calls back" not in mine.content.decode()


def test_a_follow_up_is_given_to_a_colleague_as_its_task_with_an_audit(
    consenting_customer, invitation, agent
):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()

    services.follow_up_assign(follow_up=follow_up, assignee=agent, actor=agent)
    services.follow_up_assign(follow_up=follow_up, assignee=agent, actor=agent)  # no change

    follow_up.refresh_from_db()
    assert (follow_up.assigned_to, follow_up.task.owner) == (agent, agent)
    (entry,) = ActionLog.objects.filter(action="task.assigned")
    assert (entry.customer, entry.actor) == (consenting_customer, agent)
    assert entry.data == {
        "task": follow_up.task_id,
        "title": follow_up.task.title,
        "from": "margaret",
        "to": "alice",
    }


def test_a_follow_up_goes_only_to_staff_who_may_work_it(invitation, analyst, manager):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()

    with pytest.raises(ValidationError) as refused:
        services.follow_up_assign(follow_up=follow_up, assignee=analyst, actor=manager)

    assert "assignee" in refused.value.message_dict
    assert FollowUp.objects.get().assigned_to == manager


def test_a_closed_follow_up_is_not_passed_on(invitation, manager, agent):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()
    services.follow_up_close(follow_up=follow_up, outcome="resolved", note="", actor=manager)

    with pytest.raises(ValidationError, match="already closed"):
        services.follow_up_assign(follow_up=follow_up, assignee=agent, actor=manager)


def test_the_assign_page_offers_only_colleagues_who_work_follow_ups(
    client, invitation, agent, manager, analyst
):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()
    url = reverse("satisfaction:follow_up_assign", args=[follow_up.pk])
    client.force_login(agent)

    page = client.get(url, {"next": "/satisfaction/follow-ups/?show=unassigned"})
    options = [str(user) for user in page.context["form"].fields["assignee"].queryset]
    done = client.post(url, {"assignee": agent.pk, "next": "/satisfaction/follow-ups/?show=open"})
    hostile = client.post(url, {"assignee": analyst.pk})

    assert options == ["alice", "margaret"]
    assert (done.status_code, done.url) == (302, "/satisfaction/follow-ups/?show=open")
    assert FollowUp.objects.get().assigned_to == agent
    assert hostile.status_code == 200 and hostile.context["form"].errors["assignee"]


def test_assigning_elsewhere_never_leaves_the_site(client, invitation, agent):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()
    client.force_login(agent)

    response = client.post(
        reverse("satisfaction:follow_up_assign", args=[follow_up.pk]),
        {"assignee": agent.pk, "next": "https://evil.example/phish"},
    )

    assert response.url == reverse("satisfaction:follow_ups")


def test_analysts_may_not_assign_follow_ups(client, invitation, analyst, manager):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()
    client.force_login(analyst)

    url = reverse("satisfaction:follow_up_assign", args=[follow_up.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, {"assignee": analyst.pk}).status_code == 403


def test_the_follow_up_list_and_customer_page_link_to_assigning(client, invitation, agent):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()
    assign = reverse("satisfaction:follow_up_assign", args=[follow_up.pk])
    client.force_login(agent)

    listed = client.get(reverse("satisfaction:follow_ups"), {"show": "open"}).content.decode()
    panel = client.get(invitation.customer.get_absolute_url()).content.decode()

    assert f'href="{assign}?next=' in listed and ">Reassign</a>" in listed
    assert f'href="{assign}?next=' in panel


def test_done_follow_ups_name_who_closed_them_or_no_one(client, invitation, manager):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()
    services.follow_up_close(
        follow_up=follow_up, outcome="resolved", note="Credit note sent", actor=manager
    )
    client.force_login(manager)

    named = client.get(reverse("satisfaction:follow_ups"), {"show": "done"}).content.decode()
    FollowUp.objects.update(closed_by=None)  # the closer's account was deleted since
    anonymous = client.get(reverse("satisfaction:follow_ups"), {"show": "done"}).content.decode()

    today = timezone.localdate().isoformat()
    assert f"(by margaret, {today})" in named
    assert f"({today})" in anonymous and "(, " not in anonymous


def test_an_overdue_unassigned_follow_up_shows_in_both_lists(
    client, nps_survey, make_consenting_customer, invite, agent
):
    customer = make_consenting_customer()
    invitation = invite(nps_survey, customer, key="periodic:2026-01-01", touch_point="relationship")
    services.response_submit(invitation=invitation, score=0)
    FollowUp.objects.update(due_on=timezone.localdate() - timedelta(days=2))
    client.force_login(agent)

    for show in ("overdue", "unassigned"):
        page = client.get(reverse("satisfaction:follow_ups"), {"show": show}).content.decode()
        assert customer.number in page and "unassigned" in page
