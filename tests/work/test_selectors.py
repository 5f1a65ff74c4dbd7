import datetime

import pytest
from django.utils import timezone

from satisfaction import services as satisfaction_services
from satisfaction.models import FollowUp
from work import selectors, services
from work.models import Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

TODAY = timezone.localdate()


def _task(customer, owner, title, days, priority=2):
    return services.task_create(
        customer=customer,
        title=title,
        owner=owner,
        due_on=TODAY + datetime.timedelta(days=days),
        priority=priority,
        actor=owner,
    )


def test_my_work_lists_overdue_then_today_then_later_with_my_follow_ups(
    consenting_customer, invitation, manager, other_agent, django_assert_num_queries
):
    customer = consenting_customer
    _task(customer, manager, "Next week", 7)
    _task(customer, manager, "Today, normal", 0)
    _task(customer, manager, "Today, high", 0, priority=1)
    _task(customer, manager, "Late", -2)
    _task(customer, other_agent, "Bob's", -5)
    satisfaction_services.response_submit(invitation=invitation, score=2)
    follow_up = FollowUp.objects.get()
    Task.objects.filter(pk=follow_up.task_id).update(due_on=TODAY - datetime.timedelta(days=1))

    with django_assert_num_queries(1):
        items = selectors.my_work_tasks(manager, limit=10)

    assert [item.kind for item in items] == ["task", "follow_up", "task", "task", "task"]
    assert [item.title for item in items if item.kind == "task"] == [
        "Late",
        "Today, high",
        "Today, normal",
        "Next week",
    ]
    assert items[0].overdue and items[2].due_today
    assert items[1].url == f"/satisfaction/follow-ups/{follow_up.pk}/"


def test_my_work_is_cut_at_the_limit(customer, agent):
    for days in range(5):
        _task(customer, agent, f"Task {days}", days)

    assert len(selectors.my_work_tasks(agent, limit=3)) == 3


def test_the_team_is_everyone_sharing_a_role(customer, agent, other_agent, manager):
    _task(customer, agent, "Alice's", 0)
    _task(customer, other_agent, "Bob's", 0)
    _task(customer, manager, "Margaret's", 0)

    def titles(show, user):
        return {task.title for task in selectors.open_tasks(show=show, user=user).rows}

    assert titles("mine", agent) == {"Alice's"}
    assert titles("team", agent) == {"Alice's", "Bob's"}
    assert titles("all", manager) == {"Alice's", "Bob's", "Margaret's"}


def test_the_unread_count_stops_at_what_it_counts(agent):
    for number in range(3):
        services.notification_send(recipient=agent, kind="approval", text=f"N{number}")

    assert selectors.unread_count(agent) == 3
    services.notifications_mark_read(user=agent)
    assert selectors.unread_count(agent) == 0
