from django import forms
from django.utils import timezone

from crm.lists import PagedFilterForm
from customers.forms import DateInput, StaffChoiceField

from .models import Task
from .selectors import TASK_SORT_LABELS, task_owners
from .services import NOTE_MAX, TITLE_MAX


class TaskForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX, label="Task")
    kind = forms.ChoiceField(choices=Task.Kind.choices, initial=Task.Kind.TASK, label="Kind")
    due_on = forms.DateField(widget=DateInput, initial=timezone.localdate, label="Due")
    priority = forms.TypedChoiceField(
        choices=Task.Priority.choices, coerce=int, initial=Task.Priority.NORMAL, label="Priority"
    )
    owner = StaffChoiceField(
        queryset=None,
        required=False,
        label="For",
        empty_label="Me",
        help_text="Leave on “Me” to keep the task yourself.",
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 4}), label="Note"
    )
    pinned = forms.BooleanField(required=False, label="Pin to the top")


class TaskOwnerForm(forms.Form):
    owner = StaffChoiceField(queryset=None, label="Give to", empty_label="Choose a colleague")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


class TaskFilterForm(PagedFilterForm):
    visible_labels = True

    show = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("mine", "My tasks"), ("team", "My team's"), ("all", "Everyone's")],
    )
    kind = forms.ChoiceField(
        required=False, label="Kind", choices=[("", "Every kind"), *Task.Kind.choices]
    )
    overdue = forms.BooleanField(required=False, label="Overdue only")
    sort = forms.ChoiceField(required=False, label="Sort", choices=list(TASK_SORT_LABELS.items()))

    def __init__(self, *args, may_see_all: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_see_all:
            self.fields["show"].choices = self.fields["show"].choices[:2]

    @staticmethod
    def selector_filters(cleaned: dict) -> dict:
        """The selector's arguments from the form's cleaned data (or none: the defaults)."""
        return {
            "show": cleaned.get("show") or "mine",
            "overdue_only": bool(cleaned.get("overdue")),
            "kind": cleaned.get("kind") or "",
            "sort": cleaned.get("sort") or "due",
        }


class NotificationFilterForm(PagedFilterForm):
    visible_labels = True

    show = forms.ChoiceField(
        required=False, label="Show", choices=[("all", "All"), ("unread", "Unread")]
    )


class BulkTaskForm(TaskForm):
    """The task the customer list's "Create a task" gives each customer ticked there: the one
    task form, without its kind (a plain task), its owners read by the form itself."""

    kind = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, owners=task_owners(), **kwargs)
        self.fields["owner"].help_text = "Leave on “Me” to keep the tasks yourself."
