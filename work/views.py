"""Staff pages for tasks, notes and notifications: parse, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from crm.lists import list_page
from crm.navigation import back_to
from crm.savedviews.services import saved_views_context
from crm.sorting import SortColumn, sort_headers
from customers.forms import apply_service_error
from customers.views.common import customer_or_404, posted

from . import selectors, services
from .exports import SEE_ALL, TASKS
from .forms import NoteForm, NotificationFilterForm, TaskFilterForm, TaskForm, TaskOwnerForm
from .models import Note, Task


def _panel_of(customer) -> str:
    return customer.get_absolute_url() + "#work-h"


# The task list's sortable columns (crm.sorting): each sort is served by an index.
TASK_SORT_COLUMNS = (
    SortColumn("due", "due", {"due": "ascending", "latest": "descending"}, reverse="latest"),
    SortColumn("priority", "urgent", {"urgent": "ascending"}),
)


@login_required
@permission_required("work.view_task", raise_exception=True)
def task_list(request):
    form = TaskFilterForm(request.GET or None, may_see_all=request.user.has_perm(SEE_ALL))
    filters = TaskFilterForm.selector_filters(
        form.cleaned_data if form.is_bound and form.is_valid() else {}
    )
    return list_page(
        request,
        "work/tasks.html",
        form=form,
        page_of=lambda cleaned, **cursor: selectors.open_tasks(
            user=request.user, **TaskFilterForm.selector_filters(cleaned), **cursor
        ),
        context={
            "show": filters["show"],
            "here": request.get_full_path(),
            "today": timezone.localdate(),
            "sort_headers": sort_headers(request.GET, TASK_SORT_COLUMNS, current=filters["sort"]),
            **saved_views_context(user=request.user, list_name=TASKS),
        },
    )


@login_required
@permission_required("work.add_task", raise_exception=True)
@require_http_methods(["GET", "POST"])
def task_add(request, number):
    customer = customer_or_404(number)
    back = back_to(request, _panel_of(customer))
    form = TaskForm(posted(request), owners=selectors.task_owners())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.task_create(
                customer=customer,
                title=data["title"],
                kind=data["kind"],
                owner=data["owner"] or request.user,
                due_on=data["due_on"],
                priority=data["priority"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            who = "you" if task.owner == request.user else task.owner.get_username()
            messages.success(request, f"Task “{task.title}” added for {who}.")
            return redirect(back)
    return render(
        request, "work/task_form.html", {"customer": customer, "form": form, "back": back}
    )


@login_required
@permission_required("work.add_note", raise_exception=True)
@require_http_methods(["GET", "POST"])
def note_add(request, number):
    customer = customer_or_404(number)
    back = back_to(request, _panel_of(customer))
    form = NoteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.note_add(customer=customer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Note added to {customer.number}.")
            return redirect(back)
    return render(
        request, "work/note_form.html", {"customer": customer, "form": form, "back": back}
    )


def _task_or_404(task_id: int) -> Task:
    return get_object_or_404(Task.objects.select_related("customer__party", "owner"), pk=task_id)


def _task_close(request, task_id: int, close, done: str):
    task = _task_or_404(task_id)
    back = back_to(request, _panel_of(task.customer))
    try:
        close(task=task, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Task “{task.title}” {done}.")
    return redirect(back)


@login_required
@permission_required("work.change_task", raise_exception=True)
@require_POST
def task_complete(request, task_id):
    return _task_close(request, task_id, services.task_complete, "done")


@login_required
@permission_required("work.change_task", raise_exception=True)
@require_POST
def task_cancel(request, task_id):
    return _task_close(request, task_id, services.task_cancel, "cancelled")


@login_required
@permission_required("work.change_task", raise_exception=True)
@require_http_methods(["GET", "POST"])
def task_assign(request, task_id):
    task = _task_or_404(task_id)
    back = back_to(request, reverse("work:tasks"))
    form = TaskOwnerForm(
        posted(request), owners=selectors.task_owners(), initial={"owner": task.owner_id}
    )
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_assign(
                task=task, owner=form.cleaned_data["owner"], actor=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Task “{task.title}” given to {task.owner.get_username()}.")
            return redirect(back)
    return render(request, "work/task_assign.html", {"task": task, "form": form, "back": back})


def _ticked_task_ids(request) -> list[int]:
    """The task ids ticked on one page of the task list; ValidationError for none, a broken id
    or more than a page holds."""
    values = request.POST.getlist("ids")
    if not values:
        raise ValidationError("Tick the tasks to reassign on the task list first.")
    # ASCII digits that fit a bigint: isdigit() passes "²", which int() refuses.
    if not all(value.isascii() and value.isdigit() and len(value) <= 18 for value in values):
        raise ValidationError("The selection is broken; tick the tasks again.")
    ids = list(dict.fromkeys(int(value) for value in values))
    if len(ids) > selectors.PAGE_SIZE:
        raise ValidationError(
            f"Tick at most {selectors.PAGE_SIZE} tasks at a time, one page of the list."
        )
    return ids


@login_required
@permission_required("work.change_task", raise_exception=True)
@require_POST
def tasks_bulk_assign(request):
    """Sent from the task list with the ticked rows: confirm the tasks and choose their new
    owner, then give each through the one-task rules and report each row."""
    back = back_to(request, reverse("work:tasks"))
    context = {"back": back}
    try:
        ids = _ticked_task_ids(request)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "work/tasks_bulk_assign.html", context, status=400)
    tasks = services.tasks_picked(task_ids=ids)
    if not tasks:
        context["error"] = "None of the ticked tasks exists any more."
        return render(request, "work/tasks_bulk_assign.html", context, status=400)
    confirmed = request.POST.get("confirmed") == "yes"
    form = TaskOwnerForm(request.POST if confirmed else None, owners=selectors.task_owners())
    context |= {"tasks": tasks, "ids": [task.pk for task in tasks], "form": form}
    if confirmed and form.is_valid():
        try:
            outcomes = services.tasks_assign_many(
                task_ids=context["ids"], owner=form.cleaned_data["owner"], actor=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            context |= {
                "applied": True,
                "outcomes": outcomes,
                "done": sum(1 for outcome in outcomes if outcome.done),
                "owner": form.cleaned_data["owner"],
            }
    return render(request, "work/tasks_bulk_assign.html", context)


@login_required
@permission_required("work.change_note", raise_exception=True)
@require_POST
def note_pin(request, note_id):
    note = get_object_or_404(Note.objects.select_related("customer"), pk=note_id)
    pinned = bool(request.POST.get("pinned"))
    try:
        services.note_pin(note=note, pinned=pinned, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back_to(request, _panel_of(note.customer)))


@login_required
@permission_required("work.view_notification", raise_exception=True)
def notification_list(request):
    form = NotificationFilterForm(request.GET or None)
    return list_page(
        request,
        "work/notifications.html",
        form=form,
        page_of=lambda filters, **cursor: selectors.notifications_page(
            user=request.user, unread_only=filters.get("show") == "unread", **cursor
        ),
        context={
            "here": request.get_full_path(),
            "show": form.cleaned_data.get("show") if form.is_bound and form.is_valid() else "",
        },
    )


# Reading one's own notices is all it takes to mark them read: nobody else's are touched.
@login_required
@permission_required("work.view_notification", raise_exception=True)
@require_POST
def notifications_mark_read(request):
    """Mark one notification read (``notification``), or all of mine; only ever my own."""
    ids = [value for value in request.POST.getlist("notification") if value.isdigit()]
    count = services.notifications_mark_read(
        user=request.user, ids=[int(value) for value in ids] if ids else None
    )
    if not ids:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect(back_to(request, reverse("work:notifications")))
