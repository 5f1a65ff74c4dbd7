import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog
from tests.factories import CustomerFactory, UserFactory
from work import services
from work.models import Note, Notification, Task

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _task(customer, owner, actor, **options):
    return services.task_create(
        customer=customer,
        title=options.pop("title", "Call about the upgrade"),
        owner=owner,
        due_on=options.pop("due_on", TODAY),
        actor=actor,
        **options,
    )


def test_a_task_given_to_a_colleague_is_logged_and_tells_them(customer, agent, other_agent):
    task = _task(customer, other_agent, agent, kind=Task.Kind.CALL)

    log = ActionLog.objects.get(customer=customer, action="task.created")
    assert (log.actor, log.data["owner"], log.data["kind"]) == (agent, "bob", "call")
    notice = Notification.objects.get(recipient=other_agent)
    assert notice.kind == Notification.Kind.ASSIGNED
    assert "Call about the upgrade" in notice.text
    assert notice.link_url == customer.get_absolute_url() + "#work-h"
    assert task.state == Task.State.OPEN


def test_a_task_kept_for_oneself_tells_nobody(customer, agent):
    _task(customer, agent, agent)

    assert not Notification.objects.exists()


def test_a_task_cannot_go_to_someone_who_may_not_work_on_tasks(customer, agent, analyst):
    with pytest.raises(ValidationError) as refused:
        _task(customer, analyst, agent)

    assert "may not work on tasks" in str(refused.value)
    assert not Task.objects.exists()


def test_a_task_needs_a_title(customer, agent):
    with pytest.raises(ValidationError):
        _task(customer, agent, agent, title="   ")


def test_reassigning_logs_both_owners_and_tells_the_new_one(customer, agent, other_agent):
    task = _task(customer, agent, agent)

    services.task_assign(task=task, owner=other_agent, actor=agent)

    log = ActionLog.objects.get(customer=customer, action="task.assigned")
    assert (log.data["from"], log.data["to"]) == ("alice", "bob")
    assert Notification.objects.filter(recipient=other_agent).count() == 1


def test_completing_closes_the_task_once(customer, agent):
    task = _task(customer, agent, agent)

    services.task_complete(task=task, actor=agent)
    task.refresh_from_db()

    assert (task.state, task.closed_by) == (Task.State.DONE, agent)
    assert task.closed_at is not None
    with pytest.raises(ValidationError, match="already done"):
        services.task_cancel(task=task, actor=agent)
    assert ActionLog.objects.filter(action__startswith="task.").count() == 2


def test_cancelling_a_task_is_logged(customer, agent):
    task = _task(customer, agent, agent)

    services.task_cancel(task=task, actor=agent)

    assert Task.objects.get().state == Task.State.CANCELLED
    assert ActionLog.objects.filter(customer=customer, action="task.cancelled").exists()


def test_a_note_is_logged_and_can_be_pinned_and_unpinned(customer, agent):
    note = services.note_add(customer=customer, text="  Prefers calls after 6pm ", actor=agent)

    services.note_pin(note=note, pinned=True, actor=agent)
    services.note_pin(note=note, pinned=True, actor=agent)  # no change, nothing logged
    services.note_pin(note=note, pinned=False, actor=agent)

    assert Note.objects.get().text == "Prefers calls after 6pm"
    assert list(
        ActionLog.objects.filter(customer=customer, action__startswith="note.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["note.added", "note.pinned", "note.unpinned"]


def test_an_empty_note_is_refused(customer, agent):
    with pytest.raises(ValidationError):
        services.note_add(customer=customer, text=" ", actor=agent)


def test_nothing_is_added_to_a_merged_customer(agent):
    merged = CustomerFactory(actor=agent, status="merged")

    with pytest.raises(ValidationError, match="merged"):
        services.note_add(customer=merged, text="Hello", actor=agent)
    with pytest.raises(ValidationError, match="merged"):
        _task(merged, agent, agent)


def test_many_customers_get_one_task_each_with_one_insert_and_one_notice(
    agent, other_agent, django_assert_max_num_queries
):
    customers = [CustomerFactory(actor=agent) for _ in range(5)]

    with django_assert_max_num_queries(12):
        tasks = services.tasks_create_for(
            customers=customers,
            title="Offer the loyalty bundle",
            owner=other_agent,
            due_on=TODAY,
            actor=agent,
        )

    assert len(tasks) == 5 and all(task.pk for task in tasks)
    assert ActionLog.objects.filter(action="task.created").count() == 5
    notice = Notification.objects.get(recipient=other_agent)
    assert "5 tasks" in notice.text


def test_overdue_tasks_tell_their_owner_once_however_often_the_job_runs(customer, agent):
    yesterday = TODAY - datetime.timedelta(days=1)
    late = _task(customer, agent, agent, title="Send the contract", due_on=yesterday)
    _task(customer, agent, agent, title="Due today", due_on=TODAY)
    done = _task(customer, agent, agent, title="Done already", due_on=yesterday)
    services.task_complete(task=done, actor=agent)

    assert services.tasks_overdue_notify() == 1
    assert services.tasks_overdue_notify() == 0

    notice = Notification.objects.get()
    assert (notice.recipient, notice.kind, notice.task) == (agent, "overdue", late)
    assert notice.text == "Overdue: Send the contract"


def test_marking_read_touches_only_the_users_own_notices(agent, other_agent):
    mine = services.notification_send(recipient=agent, kind="approval", text="Approve it")
    theirs = services.notification_send(recipient=other_agent, kind="approval", text="Theirs")

    assert services.notifications_mark_read(user=agent, ids=[mine.pk, theirs.pk]) == 1

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_notice_links_only_to_a_page_of_this_site(agent):
    with pytest.raises(ValueError):
        services.notification_send(
            recipient=agent, kind="approval", text="x", link_url="https://evil.example/"
        )


def test_a_user_without_the_permission_cannot_be_given_a_task(customer, agent):
    with pytest.raises(ValidationError):
        _task(customer, UserFactory(), agent)
