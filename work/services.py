"""Every write of staff work: tasks, notes and notifications, each audited on its customer.

A task given to someone other than the person acting tells its new owner with a notification.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from crm.bulk import bulk_insert
from customers.models import Customer
from customers.roles import may_be_given
from customers.services.audit import (
    action_log_entry,
    action_log_record,
    action_logs_record,
    actor_label,
    customer_lock_for_edit,
)

from .models import Note, Notification, Task
from .signals import task_assigned

# Who may own a task: staff who may work on tasks.
TASK_OWNER_PERMISSION = "work.change_task"
TITLE_MAX = Task._meta.get_field("title").max_length
NOTE_MAX = 5000
NOTE_EXCERPT = 200


def _check_owner(owner) -> None:
    if owner is not None and not may_be_given(owner, TASK_OWNER_PERMISSION):
        raise ValidationError({"owner": f"{owner.get_username()} may not work on tasks."})


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Say what has to be done."})
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"Keep the title to {TITLE_MAX} characters."})
    return title


def _check_choices(*, kind: str, priority: int) -> None:
    if kind not in Task.Kind.values:
        raise ValidationError({"kind": "Choose a kind of task."})
    if priority not in Task.Priority.values:
        raise ValidationError({"priority": "Choose a priority."})


def _task_data(task: Task) -> dict:
    return {
        "task": task.pk,
        "title": task.title,
        "kind": task.kind,
        "owner": actor_label(task.owner) if task.owner else None,
        "due_on": task.due_on.isoformat(),
        "priority": task.priority,
    }


def _assigned_notice(task: Task, *, owner, actor, now) -> Notification | None:
    """The notice an owner gets of a task someone else gave them (none for their own)."""
    if owner is None or owner.pk == getattr(actor, "pk", None):
        return None
    return Notification(
        recipient=owner,
        kind=Notification.Kind.ASSIGNED,
        text=f"{actor_label(actor)} gave you a task: {task.title}"[:300],
        link_url=task.customer.get_absolute_url() + "#work-h",
        created_at=now,
    )


@transaction.atomic
def task_create(
    *,
    customer: Customer,
    title: str,
    owner,
    due_on: date,
    actor,
    kind: str = Task.Kind.TASK,
    priority: int = Task.Priority.NORMAL,
    closed_on_page: str = "",
) -> Task:
    """A new open task on ``customer`` for ``owner``, logged on the customer. A task another
    app closes on its own page names that page (``closed_on_page``)."""
    return tasks_create_for(
        customers=[customer],
        title=title,
        owner=owner,
        due_on=due_on,
        actor=actor,
        kind=kind,
        priority=priority,
        closed_on_page=closed_on_page,
    )[0]


@transaction.atomic
def tasks_create_for(
    *,
    customers: Iterable[Customer],
    title: str,
    owner,
    due_on: date,
    actor,
    kind: str = Task.Kind.TASK,
    priority: int = Task.Priority.NORMAL,
    closed_on_page: str = "",
) -> list[Task]:
    """The same task on many customers: one insert, one audit batch and one notice to the
    owner. Customers merged into another are refused, naming them."""
    title = _clean_title(title)
    _check_choices(kind=kind, priority=priority)
    _check_owner(owner)
    wanted = {customer.pk for customer in customers}
    if not wanted:
        return []
    # Locked in one query, the order every customer change takes, so a merge waits for us.
    locked = list(Customer.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    merged = sorted(customer.number for customer in locked if customer.merged_into_id)
    if merged:
        raise ValidationError(
            f"Customer {', '.join(merged)} was merged into another; add the task there.",
            code="merged",
        )
    now = timezone.now()
    tasks = [
        Task(
            customer=customer,
            title=title,
            kind=kind,
            owner=owner,
            due_on=due_on,
            priority=priority,
            closed_on_page=closed_on_page,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            updated_at=now,
        )
        for customer in locked
    ]
    bulk_insert(tasks, with_ids=True)
    action_logs_record(
        [
            action_log_entry(
                action="task.created",
                customer=task.customer,
                actor=actor,
                data=_task_data(task),
                at=now,
            )
            for task in tasks
        ]
    )
    notice = _assigned_notice(tasks[0], owner=owner, actor=actor, now=now)
    if notice is not None and len(tasks) > 1:
        notice.text = f"{actor_label(actor)} gave you {len(tasks)} tasks: {title}"[:300]
        notice.link_url = reverse("work:tasks")
    if notice is not None:
        notice.save()
    return tasks


def _locked_open_task(task: Task) -> Task:
    """The customer, then the task, locked; a closed task is refused."""
    customer_lock_for_edit(task.customer)
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("customer", "owner")
        .get(pk=task.pk)
    )
    if task.state != Task.State.OPEN:
        raise ValidationError(
            f"This task was already {task.get_state_display().lower()}.", code="closed"
        )
    return task


@transaction.atomic
def task_assign(*, task: Task, owner, actor) -> Task:
    """Give an open task to ``owner``, logged; the new owner is told."""
    _check_owner(owner)
    task = _locked_open_task(task)
    if task.owner_id == getattr(owner, "pk", None):
        return task
    # The app a task belongs to keeps its own record in step, or refuses the new owner.
    task_assigned.send(sender=Task, task=task, owner=owner, actor=actor)
    previous = task.owner
    task.owner = owner
    task.updated_at = timezone.now()
    task.save(update_fields=["owner", "updated_at"])
    action_log_record(
        action="task.assigned",
        customer=task.customer,
        actor=actor,
        data={
            "task": task.pk,
            "title": task.title,
            "from": actor_label(previous) if previous else None,
            "to": actor_label(owner) if owner else None,
        },
    )
    notice = _assigned_notice(task, owner=owner, actor=actor, now=task.updated_at)
    if notice is not None:
        notice.save()
    return task


@dataclass(frozen=True)
class TaskAssignOutcome:
    """What came of giving one ticked task to its new owner: done, or refused and why."""

    task: Task
    done: bool
    message: str = ""


def tasks_picked(*, task_ids: Iterable[int]) -> list[Task]:
    """The tasks ticked on the task list, open or not, by due day: one query; ids of tasks that
    no longer exist are left out."""
    return list(
        Task.objects.filter(pk__in=set(task_ids))
        .select_related("customer__party", "owner")
        .order_by("due_on", "id")
    )


def tasks_assign_many(*, task_ids: Iterable[int], owner, actor) -> list[TaskAssignOutcome]:
    """Give each ticked task to ``owner`` through ``task_assign``, each in its own transaction,
    so one refused (closed meanwhile, or a follow-up ``owner`` may not work) leaves the others
    given and says why. An owner who may not work on tasks refuses them all, up front."""
    _check_owner(owner)
    outcomes = []
    for task in tasks_picked(task_ids=task_ids):
        already_theirs = task.owner_id == getattr(owner, "pk", None)
        try:
            task.owner = task_assign(task=task, owner=owner, actor=actor).owner
        except ValidationError as error:
            outcomes.append(TaskAssignOutcome(task, done=False, message=" ".join(error.messages)))
        else:
            message = "Already theirs: nothing changed." if already_theirs else ""
            outcomes.append(TaskAssignOutcome(task, done=True, message=message))
    return outcomes


def _task_close(task: Task, *, state: str, action: str, actor, from_its_page: bool = False):
    task = _locked_open_task(task)
    if task.closed_on_page and not from_its_page:
        raise ValidationError(
            "This task is closed on its own page, with what came of it.", code="closed_elsewhere"
        )
    task.state = state
    task.closed_at = task.updated_at = timezone.now()
    task.closed_by = actor if getattr(actor, "pk", None) else None
    task.save(update_fields=["state", "closed_at", "closed_by", "updated_at"])
    action_log_record(
        action=action,
        customer=task.customer,
        actor=actor,
        data={"task": task.pk, "title": task.title},
    )
    return task


@transaction.atomic
def task_complete(*, task: Task, actor) -> Task:
    return _task_close(task, state=Task.State.DONE, action="task.completed", actor=actor)


@transaction.atomic
def task_cancel(*, task: Task, actor) -> Task:
    return _task_close(task, state=Task.State.CANCELLED, action="task.cancelled", actor=actor)


@transaction.atomic
def task_complete_from_its_page(*, task: Task, actor) -> Task:
    """Done, by the page that closes a task of another app (``Task.closed_on_page``)."""
    return _task_close(
        task, state=Task.State.DONE, action="task.completed", actor=actor, from_its_page=True
    )


@transaction.atomic
def note_add(*, customer: Customer, text: str, actor, pinned: bool = False) -> Note:
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the note."})
    if len(text) > NOTE_MAX:
        raise ValidationError({"text": f"Keep a note to {NOTE_MAX} characters."})
    customer_lock_for_edit(customer)
    note = Note.objects.create(
        customer=customer,
        text=text,
        author=actor if getattr(actor, "pk", None) else None,
        pinned=pinned,
        created_at=timezone.now(),
    )
    action_log_record(
        action="note.added",
        customer=customer,
        actor=actor,
        data={"note": note.pk, "text": text[:NOTE_EXCERPT], "pinned": pinned},
    )
    return note


@transaction.atomic
def note_pin(*, note: Note, pinned: bool, actor) -> Note:
    """Pin a note to the top of the customer's notes, or unpin it; logged when it changes."""
    customer_lock_for_edit(note.customer)
    note = Note.objects.select_for_update(of=("self",)).select_related("customer").get(pk=note.pk)
    if note.pinned == pinned:
        return note
    note.pinned = pinned
    note.save(update_fields=["pinned"])
    action_log_record(
        action="note.pinned" if pinned else "note.unpinned",
        customer=note.customer,
        actor=actor,
        data={"note": note.pk, "text": note.text[:NOTE_EXCERPT]},
    )
    return note


# --- Notifications ----------------------------------------------------------------------------


def notification_send(*, recipient, kind: str, text: str, link_url: str = "") -> Notification:
    """Tell one staff member something, with a link to a page of this site."""
    return notifications_send(recipients=[recipient], kind=kind, text=text, link_url=link_url)[0]


def notifications_send(
    *, recipients: Iterable, kind: str, text: str, link_url: str = ""
) -> list[Notification]:
    """Tell each of ``recipients`` the same thing, in one insert."""
    if kind not in Notification.Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if link_url and (not link_url.startswith("/") or link_url.startswith("//")):
        raise ValueError(f"A notification links to a path on this site, not {link_url!r}")
    now = timezone.now()
    return Notification.objects.bulk_create(
        [
            Notification(
                recipient=recipient, kind=kind, text=text[:300], link_url=link_url, created_at=now
            )
            for recipient in recipients
        ]
    )


def tasks_overdue_notify(*, today: date | None = None) -> int:
    """Tell each owner of an open task past its due day, once per task: one INSERT … SELECT,
    safe to run again and from two workers at once (the unique notice per task wins)."""
    today = today or timezone.localdate()
    notice, task = Notification._meta, Task._meta
    sql = f"""
        INSERT INTO {notice.db_table} (recipient_id, kind, text, link_url, task_id, created_at)
        SELECT t.owner_id, %s, SUBSTR(%s || t.title, 1, 300), %s, t.id, %s
        FROM {task.db_table} t
        WHERE t.state = %s AND t.due_on < %s AND t.owner_id IS NOT NULL
          AND NOT EXISTS (
            SELECT 1 FROM {notice.db_table} n WHERE n.task_id = t.id AND n.kind = %s
          )
        ON CONFLICT DO NOTHING
    """
    kind = Notification.Kind.OVERDUE
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                kind,
                "Overdue: ",
                reverse("work:tasks"),
                timezone.now(),
                Task.State.OPEN,
                today,
                kind,
            ],
        )
        return cursor.rowcount


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark ``user``'s unread notifications as read (only those in ``ids``, when given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())
