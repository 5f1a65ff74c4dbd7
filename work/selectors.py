"""Reads of staff work: the customer page's panel, my work, the task list, notifications."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from crm.counting import CountedPage, keyset_page_counted
from crm.keyset import KeysetPage, keyset_page
from customers.models import Customer
from customers.roles import staff_with_permission

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


def customer_work(customer: Customer) -> dict:
    """The "Tasks & notes" panel: open tasks by due day, notes pinned first then newest; the
    staff a new task may be given to. Three queries. A task another app closes on its own
    page (a survey follow-up) is shown in that app's panel, with what only it may show."""
    return {
        "tasks": list(
            Task.objects.filter(customer=customer, state=Task.State.OPEN, closed_on_page="")
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


# Each sort of the task list, by the columns of its keyset; each served by a partial index on
# open tasks (task_*_open_idx, task_*_urgent_idx), read backwards for the latest first.
TASK_SORTS = {
    "due": TASK_ORDER,
    "latest": ("-due_on", "-priority", "-id"),
    "urgent": ("priority", "due_on", "id"),
}
TASK_SORT_LABELS = {
    "due": "Due soonest",
    "latest": "Due latest",
    "urgent": "Most urgent",
}


def open_tasks_queryset(*, show: str, user, overdue_only: bool = False, kind: str = "") -> QuerySet:
    """Open tasks: the user's own, their team's (everyone sharing a role with them) or
    everyone's, of one kind or all."""
    tasks = Task.objects.filter(state=Task.State.OPEN)
    if show == "mine":
        tasks = tasks.filter(owner_id=user.pk)
    elif show == "team":
        tasks = tasks.filter(owner_id__in=team_member_ids(user))
    if overdue_only:
        tasks = tasks.filter(due_on__lt=timezone.localdate())
    if kind:
        tasks = tasks.filter(kind=kind)
    return tasks


def open_tasks(
    *,
    show: str,
    user,
    overdue_only: bool = False,
    kind: str = "",
    sort: str = "due",
    after: str = "",
    before: str = "",
) -> CountedPage:
    """A page of open tasks in the sort asked for (due first by default), with their count."""
    tasks = open_tasks_queryset(show=show, user=user, overdue_only=overdue_only, kind=kind)
    return keyset_page_counted(
        tasks.select_related("customer__party", "owner"),
        order=TASK_SORTS[sort],
        after=after,
        before=before,
        page_size=PAGE_SIZE,
    )


@dataclass(frozen=True)
class WorkItem:
    """One open task on my plate, a survey follow-up among them, and where to work it."""

    task: Task

    @property
    def kind(self) -> str:
        return self.task.kind

    @property
    def kind_label(self) -> str:
        return self.task.get_kind_display()

    @property
    def title(self) -> str:
        return self.task.title

    @property
    def customer(self) -> Customer:
        return self.task.customer

    @property
    def due_on(self) -> date:
        return self.task.due_on

    @property
    def url(self) -> str:
        return task_page(self.task)

    @property
    def overdue(self) -> bool:
        return self.due_on < timezone.localdate()

    @property
    def due_today(self) -> bool:
        return self.due_on == timezone.localdate()


def task_page(task: Task) -> str:
    """Where a task is worked: its own page when another app closes it, else its customer's
    tasks panel."""
    return task.closed_on_page or task.customer.get_absolute_url() + "#work-h"


def my_work_tasks(user, limit: int = 10) -> list[WorkItem]:
    """My open tasks, overdue and due today first, survey follow-ups among them: one query,
    reading at most ``limit`` rows from task_owner_open_idx."""
    tasks = (
        Task.objects.filter(owner_id=user.pk, state=Task.State.OPEN)
        .select_related("customer__party")
        .order_by(*TASK_ORDER)[:limit]
    )
    return [WorkItem(task) for task in tasks]


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
