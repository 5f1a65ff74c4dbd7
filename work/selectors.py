"""Reads of staff work: the customer page's panel, my work, the task list, notifications."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from crm.keyset import KeysetPage, keyset_page
from customers.models import Customer
from customers.roles import staff_with_permission
from satisfaction.models import FollowUp

from .models import Note, Notification, Task
from .services import TASK_OWNER_PERMISSION

PAGE_SIZE = 50
TASK_ORDER = ("due_on", "priority", "id")
NOTIFICATION_ORDER = ("-created_at", "-id")
PANEL_TASKS = 20
PANEL_NOTES = 20
SHOW = ("mine", "team", "all")
# The header counts unread notifications up to this many; more read as "99+".
UNREAD_COUNTED = 100
FOLLOW_UP_VIEW = "satisfaction.view_followup"


def customer_work(customer: Customer) -> dict:
    """The "Tasks & notes" panel: open tasks by due day, notes pinned first then newest; the
    staff a new task may be given to. Three queries."""
    return {
        "tasks": list(
            Task.objects.filter(customer=customer, state=Task.State.OPEN)
            .select_related("owner")
            .order_by(*TASK_ORDER)[:PANEL_TASKS]
        ),
        "notes": list(
            Note.objects.filter(customer=customer)
            .select_related("author")
            .order_by("-pinned", "-created_at", "-id")[:PANEL_NOTES]
        ),
        "owners": list(task_owners()),
        "kinds": Task.Kind.choices,
        "priorities": Task.Priority.choices,
        "today": timezone.localdate(),
    }


def task_owners() -> QuerySet:
    """The staff a task may be given to."""
    return staff_with_permission(TASK_OWNER_PERMISSION)


def team_member_ids(user) -> QuerySet:
    """The ids of everyone who shares a role with ``user`` (``user`` included)."""
    memberships = get_user_model().groups.through.objects
    return memberships.filter(
        group_id__in=memberships.filter(user_id=user.pk).values("group_id")
    ).values("user_id")


def open_tasks(
    *, show: str, user, overdue_only: bool = False, after: str = "", before: str = ""
) -> KeysetPage:
    """Open tasks, due (and overdue) first: the user's own, their team's (everyone sharing a
    role with them) or everyone's. Served by the partial indexes on open tasks."""
    tasks = Task.objects.filter(state=Task.State.OPEN)
    if show == "mine":
        tasks = tasks.filter(owner_id=user.pk)
    elif show == "team":
        tasks = tasks.filter(owner_id__in=team_member_ids(user))
    if overdue_only:
        tasks = tasks.filter(due_on__lt=timezone.localdate())
    return keyset_page(
        tasks.select_related("customer__party", "owner"),
        order=TASK_ORDER,
        after=after,
        before=before,
        page_size=PAGE_SIZE,
    )


@dataclass(frozen=True)
class WorkItem:
    """One thing on my plate: a task, or a survey follow-up given to me."""

    kind: str
    kind_label: str
    title: str
    customer: Customer
    due_on: date
    priority: int
    url: str
    task: Task | None = None

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()

    @property
    def due_today(self) -> bool:
        return self.due_on == timezone.localdate()


def my_follow_ups(user, limit: int) -> list[FollowUp]:
    """Survey follow-ups open and given to ``user``, soonest due first (their own index)."""
    if not user.has_perm(FOLLOW_UP_VIEW):
        return []
    return list(
        FollowUp.objects.filter(assigned_to_id=user.pk, status=FollowUp.Status.OPEN)
        .select_related("customer__party")
        .order_by("due_on", "id")[:limit]
    )


def my_work_tasks(user, limit: int = 10) -> list[WorkItem]:
    """My open work, overdue and due today first: my tasks and the survey follow-ups given to
    me, which stay the satisfaction app's own rows (closed there, with their outcome). Two
    queries, each reading at most ``limit`` rows from its index."""
    tasks = (
        Task.objects.filter(owner_id=user.pk, state=Task.State.OPEN)
        .select_related("customer__party")
        .order_by(*TASK_ORDER)[:limit]
    )
    items = [
        WorkItem(
            kind=task.kind,
            kind_label=task.get_kind_display(),
            title=task.title,
            customer=task.customer,
            due_on=task.due_on,
            priority=task.priority,
            url=task.customer.get_absolute_url() + "#work-h",
            task=task,
        )
        for task in tasks
    ]
    items += [
        WorkItem(
            kind=Task.Kind.FOLLOW_UP,
            kind_label=Task.Kind.FOLLOW_UP.label,
            title=follow_up.reason,
            customer=follow_up.customer,
            due_on=follow_up.due_on,
            priority=Task.Priority.NORMAL,
            url=reverse("satisfaction:follow_up_close", args=[follow_up.pk]),
        )
        for follow_up in my_follow_ups(user, limit)
    ]
    items.sort(key=lambda item: (item.due_on, item.priority))
    return items[:limit]


def notifications_page(*, user, unread_only: bool, after: str = "", before: str = "") -> KeysetPage:
    notifications = Notification.objects.filter(recipient_id=user.pk)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return keyset_page(
        notifications,
        order=NOTIFICATION_ORDER,
        after=after,
        before=before,
        page_size=PAGE_SIZE,
    )


def unread_count(user) -> int:
    """How many notifications ``user`` has not read, counted up to UNREAD_COUNTED: one query
    on the unread index."""
    return (
        Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        .order_by()[:UNREAD_COUNTED]
        .count()
    )
