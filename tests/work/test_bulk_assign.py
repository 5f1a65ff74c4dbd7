"""Reassigning the tasks ticked on the task list: a confirmation page, then each task given
through the one-task rules (closed ones and follow-ups its owner may not work are refused),
each logged, and one result per row."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import ActionLog
from satisfaction import services as satisfaction_services
from satisfaction.models import FollowUp
from work import selectors, services
from work.models import Notification, Task

pytestmark = pytest.mark.django_db

BULK_ASSIGN = reverse("work:tasks_bulk_assign")
TODAY = timezone.localdate()


def _task(customer, owner, title, days=0):
    return services.task_create(
        customer=customer,
        title=title,
        owner=owner,
        due_on=TODAY + datetime.timedelta(days=days),
        actor=owner,
    )


@pytest.fixture
def tasks(customer, agent):
    """Alice's three open tasks, the latest due made first."""
    return [
        _task(customer, agent, "Send the contract", days=2),
        _task(customer, agent, "Call back", days=0),
        _task(customer, agent, "Visit the shop", days=1),
    ]


def _work_permission(codename):
    return Permission.objects.get(content_type__app_label="work", codename=codename)


def _owners(tasks):
    return [Task.objects.get(pk=task.pk).owner.get_username() for task in tasks]


# --- The service ------------------------------------------------------------------------------


def test_tasks_picked_are_read_by_due_day_in_one_query(tasks, django_assert_num_queries):
    with django_assert_num_queries(1):
        picked = services.tasks_picked(task_ids=[task.pk for task in tasks] + [987654])
        shown = [
            (task.title, task.customer.party.display_name, task.owner.username) for task in picked
        ]

    assert [title for title, _, _ in shown] == ["Call back", "Visit the shop", "Send the contract"]
    assert {owner for _, _, owner in shown} == {"alice"}


def test_each_ticked_task_goes_to_the_new_owner_and_is_logged(tasks, agent, other_agent):
    outcomes = services.tasks_assign_many(
        task_ids=[task.pk for task in tasks], owner=other_agent, actor=agent
    )

    assert [(o.task.title, o.done, o.message) for o in outcomes] == [
        ("Call back", True, ""),
        ("Visit the shop", True, ""),
        ("Send the contract", True, ""),
    ]
    assert _owners(tasks) == ["bob", "bob", "bob"]
    logs = ActionLog.objects.filter(action="task.assigned")
    assert sorted(log.data["task"] for log in logs) == sorted(task.pk for task in tasks)
    assert {(log.data["from"], log.data["to"]) for log in logs} == {("alice", "bob")}
    assert Notification.objects.filter(recipient=other_agent, kind="assigned").count() == 3


def test_a_closed_task_is_refused_with_its_reason_and_the_others_are_still_given(
    tasks, agent, other_agent
):
    services.task_complete(task=tasks[1], actor=agent)

    outcomes = services.tasks_assign_many(
        task_ids=[task.pk for task in tasks], owner=other_agent, actor=agent
    )

    by_title = {outcome.task.title: outcome for outcome in outcomes}
    assert not by_title["Call back"].done
    assert by_title["Call back"].message == "This task was already done."
    assert by_title["Visit the shop"].done and by_title["Send the contract"].done
    assert _owners(tasks) == ["bob", "alice", "bob"]
    logged = ActionLog.objects.filter(action="task.assigned").values_list("data__task", flat=True)
    assert sorted(logged) == sorted([tasks[0].pk, tasks[2].pk])


def test_a_task_already_theirs_is_done_without_a_log(tasks, agent, other_agent):
    outcomes = services.tasks_assign_many(task_ids=[tasks[0].pk], owner=agent, actor=agent)

    assert [(o.done, o.message) for o in outcomes] == [(True, "Already theirs: nothing changed.")]
    assert not ActionLog.objects.filter(action="task.assigned").exists()


def test_an_owner_who_may_not_work_on_tasks_refuses_them_all_up_front(tasks, agent, analyst):
    with pytest.raises(ValidationError, match="ravi may not work on tasks"):
        services.tasks_assign_many(task_ids=[task.pk for task in tasks], owner=analyst, actor=agent)

    assert _owners(tasks) == ["alice", "alice", "alice"]
    assert not ActionLog.objects.filter(action="task.assigned").exists()


def test_unknown_ids_are_ignored(tasks, agent, other_agent):
    outcomes = services.tasks_assign_many(
        task_ids=[tasks[0].pk, 987654], owner=other_agent, actor=agent
    )

    assert [(o.task.pk, o.done) for o in outcomes] == [(tasks[0].pk, True)]


@pytest.fixture
def follow_up(invitation, manager):
    satisfaction_services.response_submit(invitation=invitation, score=2, comment="Rude agent")
    return FollowUp.objects.select_related("task").get()


def test_a_follow_up_is_refused_to_someone_who_may_not_work_follow_ups(
    follow_up, tasks, manager, analyst
):
    analyst.user_permissions.add(_work_permission("change_task"))

    outcomes = services.tasks_assign_many(
        task_ids=[follow_up.task.pk, tasks[0].pk], owner=analyst, actor=manager
    )

    by_pk = {outcome.task.pk: outcome for outcome in outcomes}
    assert not by_pk[follow_up.task.pk].done
    assert "may not work on follow-ups" in by_pk[follow_up.task.pk].message
    assert by_pk[tasks[0].pk].done
    follow_up.refresh_from_db()
    follow_up.task.refresh_from_db()
    assert (follow_up.assigned_to, follow_up.task.owner) == (manager, manager)
    assert Task.objects.get(pk=tasks[0].pk).owner == analyst


# --- The pages --------------------------------------------------------------------------------


def test_the_list_offers_ticks_and_the_bar_to_who_may_change_tasks(client, tasks, agent):
    client.force_login(agent)

    page = client.get(reverse("work:tasks") + "?show=mine&sort=latest").content.decode()

    assert 'id="bulk-tasks-form"' in page
    assert f'action="{BULK_ASSIGN}"' in page
    assert 'name="next" value="/work/tasks/?show=mine&amp;sort=latest"' in page
    assert "Reassign ticked tasks" in page
    assert 'data-select-all="ids"' in page
    for task in tasks:
        assert f'name="ids" value="{task.pk}" form="bulk-tasks-form" id="pick-{task.pk}"' in page
        assert f'<label for="pick-{task.pk}" class="visually-hidden">' in page


def test_the_list_offers_no_ticks_to_who_may_only_read_tasks(client, tasks, analyst):
    analyst.user_permissions.add(_work_permission("oversee_task"))
    client.force_login(analyst)

    page = client.get(reverse("work:tasks") + "?show=all").content.decode()

    assert "Call back" in page  # everyone's tasks are shown …
    assert "bulk-tasks-form" not in page  # … and none may be reassigned


def test_the_confirmation_lists_the_ticked_tasks_and_asks_for_the_owner(
    client, tasks, agent, other_agent
):
    client.force_login(agent)
    ticked = [tasks[0], tasks[1]]

    response = client.post(
        BULK_ASSIGN, {"ids": [t.pk for t in ticked], "next": "/work/tasks/?show=team"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert [task.title for task in response.context["tasks"]] == ["Call back", "Send the contract"]
    assert "Visit the shop" not in page
    assert "Ada Active" in page and tasks[0].customer.number in page
    assert TODAY.isoformat() in page
    assert 'name="confirmed" value="yes"' in page
    for task in ticked:
        assert f'<input type="hidden" name="ids" value="{task.pk}">' in page
    assert '<label for="id_owner">Give to' in page
    assert f'<option value="{other_agent.pk}">' in page
    assert 'name="next" value="/work/tasks/?show=team"' in page
    assert _owners(tasks) == ["alice", "alice", "alice"]


def test_confirming_reassigns_and_reports_each_row(client, tasks, agent, other_agent):
    services.task_cancel(task=tasks[2], actor=agent)
    client.force_login(agent)

    response = client.post(
        BULK_ASSIGN,
        {
            "ids": [t.pk for t in tasks],
            "owner": other_agent.pk,
            "confirmed": "yes",
            "next": "/work/tasks/?show=team",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert _owners(tasks) == ["bob", "bob", "alice"]
    assert [(o.task.title, o.done) for o in response.context["outcomes"]] == [
        ("Call back", True),
        ("Visit the shop", False),
        ("Send the contract", True),
    ]
    assert "Reassigned to bob: 2 of 3 tasks" in page
    assert page.count(">Done</span>") == 2
    assert page.count(">Refused</span>") == 1
    assert "This task was already cancelled." in page
    assert 'href="/work/tasks/?show=team"' in page
    assert ActionLog.objects.filter(action="task.assigned").count() == 2


def test_confirming_without_an_owner_asks_again_and_changes_nothing(client, tasks, agent):
    client.force_login(agent)

    response = client.post(BULK_ASSIGN, {"ids": [tasks[0].pk], "owner": "", "confirmed": "yes"})

    assert response.status_code == 200
    assert response.context["form"].errors["owner"]
    assert "outcomes" not in response.context
    assert _owners(tasks) == ["alice", "alice", "alice"]


def test_who_may_not_change_tasks_is_refused(client, tasks, analyst, other_agent):
    client.force_login(analyst)

    response = client.post(
        BULK_ASSIGN, {"ids": [tasks[0].pk], "owner": other_agent.pk, "confirmed": "yes"}
    )

    assert response.status_code == 403
    assert _owners(tasks) == ["alice", "alice", "alice"]


def test_no_tick_is_a_clear_error(client, agent):
    client.force_login(agent)

    response = client.post(BULK_ASSIGN, {"next": "/work/tasks/"})

    assert response.status_code == 400
    assert "Tick the tasks to reassign" in response.content.decode()


@pytest.mark.parametrize("ids", [["x"], ["12", "-3"], ["1 OR 1=1"], ["²"], ["9" * 30], [""]])
def test_a_broken_selection_is_a_clear_error(client, agent, ids):
    client.force_login(agent)

    response = client.post(BULK_ASSIGN, {"ids": ids})

    assert response.status_code == 400
    assert "The selection is broken" in response.content.decode()


def test_ticked_tasks_that_no_longer_exist_are_a_clear_error(client, agent):
    client.force_login(agent)

    response = client.post(BULK_ASSIGN, {"ids": [987654]})

    assert response.status_code == 400
    assert "None of the ticked tasks exists any more." in response.content.decode()


def test_more_than_a_page_of_ticks_is_refused(client, tasks, agent, other_agent):
    client.force_login(agent)
    ids = [tasks[0].pk, *range(10_000, 10_000 + selectors.PAGE_SIZE)]

    response = client.post(BULK_ASSIGN, {"ids": ids, "owner": other_agent.pk, "confirmed": "yes"})

    assert response.status_code == 400
    assert f"Tick at most {selectors.PAGE_SIZE} tasks" in response.content.decode()
    assert _owners(tasks) == ["alice", "alice", "alice"]


def test_reassigning_needs_a_post(client, agent):
    client.force_login(agent)

    assert client.get(BULK_ASSIGN).status_code == 405


def test_a_post_without_the_csrf_token_is_refused(tasks, agent, other_agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    response = client.post(
        BULK_ASSIGN, {"ids": [tasks[0].pk], "owner": other_agent.pk, "confirmed": "yes"}
    )

    assert response.status_code == 403
    assert _owners(tasks) == ["alice", "alice", "alice"]
