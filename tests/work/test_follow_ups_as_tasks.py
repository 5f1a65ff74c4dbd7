"""A survey follow-up is a task of kind "follow-up" on its owner's work list: made with it,
reassigned and closed in step with it, and closed only where its outcome is recorded."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.models import ActionLog
from satisfaction import services as satisfaction_services
from satisfaction.models import FollowUp
from work import services
from work.models import Notification, Task


@pytest.fixture
def follow_up(invitation, manager):
    satisfaction_services.response_submit(invitation=invitation, score=2, comment="Rude agent")
    return FollowUp.objects.select_related("task").get()


def test_a_low_answer_gives_its_follow_up_owner_a_follow_up_task(follow_up, manager):
    task = follow_up.task

    assert (task.kind, task.owner, task.state) == ("follow_up", manager, "open")
    assert (task.customer_id, task.due_on) == (follow_up.customer_id, follow_up.due_on)
    assert task.title == "NPS 2 in «Support NPS»"  # not the comment: tasks reach more people
    assert task.closed_on_page == reverse("satisfaction:follow_up_close", args=[follow_up.pk])
    assert Notification.objects.filter(recipient=manager, kind="assigned").exists()


def test_reassigning_the_task_passes_the_follow_up_on(follow_up, manager, agent):
    services.task_assign(task=follow_up.task, owner=agent, actor=manager)

    follow_up.refresh_from_db()
    assert follow_up.assigned_to == agent


def test_the_task_is_not_given_to_someone_who_may_not_work_follow_ups(follow_up, manager, analyst):
    analyst.user_permissions.add(*_task_permissions())

    with pytest.raises(ValidationError, match="may not work on follow-ups"):
        services.task_assign(task=follow_up.task, owner=analyst, actor=manager)

    follow_up.refresh_from_db()
    follow_up.task.refresh_from_db()
    assert (follow_up.assigned_to, follow_up.task.owner) == (manager, manager)


def _task_permissions():
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="work", codename="change_task")


def test_its_task_cannot_be_marked_done_without_the_outcome(follow_up, manager):
    with pytest.raises(ValidationError, match="closed on its own page"):
        services.task_complete(task=follow_up.task, actor=manager)
    with pytest.raises(ValidationError, match="closed on its own page"):
        services.task_cancel(task=follow_up.task, actor=manager)

    assert Task.objects.get(pk=follow_up.task_id).state == "open"


def test_recording_the_outcome_closes_the_task(follow_up, manager):
    satisfaction_services.follow_up_close(
        follow_up=follow_up, outcome="resolved", note="Called back", actor=manager
    )

    task = Task.objects.get(pk=follow_up.task_id)
    assert (task.state, task.closed_by) == ("done", manager)
    assert ActionLog.objects.filter(action="task.completed", data__task=task.pk).exists()


def test_the_task_list_links_a_follow_up_to_its_outcome_page_and_comes_back(
    client, follow_up, manager
):
    client.force_login(manager)
    page = client.get(reverse("work:tasks")).content.decode()

    close = reverse("satisfaction:follow_up_close", args=[follow_up.pk])
    assert f'href="{close}?next=' in page
    assert reverse("work:task_complete", args=[follow_up.task_id]) not in page

    response = client.post(
        close, {"outcome": "resolved", "note": "", "next": reverse("work:tasks")}
    )
    assert response.url == reverse("work:tasks")


def test_follow_ups_made_before_they_were_tasks_get_their_task(follow_up, manager):
    Task.objects.filter(pk=follow_up.task_id).delete()  # the follow-up's link is set to null
    follow_up.refresh_from_db()
    assert follow_up.task is None

    migration = importlib.import_module("satisfaction.migrations.0004_follow_ups_as_tasks")
    migration.follow_ups_become_tasks(apps, None)

    follow_up.refresh_from_db()
    assert (follow_up.task.kind, follow_up.task.owner) == ("follow_up", manager)
    assert follow_up.task.closed_on_page == reverse(
        "satisfaction:follow_up_close", args=[follow_up.pk]
    )


def test_follow_ups_written_in_bulk_get_their_tasks_in_bulk(follow_up, manager):
    FollowUp.objects.filter(pk=follow_up.pk).update(task=None, status="done")

    assert satisfaction_services.follow_ups_tasks_give() == 1

    follow_up.refresh_from_db()
    assert (follow_up.task.kind, follow_up.task.state) == ("follow_up", "done")
    assert satisfaction_services.follow_ups_tasks_give() == 0
