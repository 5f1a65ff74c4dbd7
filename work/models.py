"""Staff work: tasks on customers, notes about them, and notifications to staff."""

from django.conf import settings
from django.db import models


class Task(models.Model):
    """Something a staff member has to do for a customer by a day."""

    class Kind(models.TextChoices):
        TASK = "task", "Task"
        CALL = "call", "Call"
        VISIT = "visit", "Visit"
        FOLLOW_UP = "follow_up", "Follow-up"
        REVIEW = "review", "Review"

    # Numbers, so that "most urgent first" is an ascending sort an index can serve.
    class Priority(models.IntegerChoices):
        HIGH = 1, "High"
        NORMAL = 2, "Normal"
        LOW = 3, "Low"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="work_tasks"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TASK)
    # Kept when the owner's account is deleted: the task then waits for someone in "All".
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="work_tasks",
    )
    due_on = models.DateField()
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField(max_length=9, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # A task another app closes on its own page, asking what it needs (a survey follow-up
    # asks for the outcome): the task pages link there instead of offering Done and Cancel.
    closed_on_page = models.CharField(max_length=200, blank=True)
    # When and by whom the task was closed, done or cancelled (``state`` says which).
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "priority", "id"]
        permissions = [("oversee_task", "Can see and work every staff member's tasks")]
        indexes = [
            # My open tasks by due date (and my team's: the same index per owner).
            models.Index(
                fields=["owner", "due_on", "priority", "id"],
                condition=models.Q(state="open"),
                name="task_owner_open_idx",
            ),
            # A customer's open tasks.
            models.Index(
                fields=["customer", "due_on", "priority", "id"],
                condition=models.Q(state="open"),
                name="task_customer_open_idx",
            ),
            # Everyone's open tasks, and the overdue ones the hourly job looks for.
            models.Index(
                fields=["due_on", "priority", "id"],
                condition=models.Q(state="open"),
                name="task_open_due_idx",
            ),
            # The list's "most urgent" sort, of mine (and my team's) and of everyone's.
            models.Index(
                fields=["owner", "priority", "due_on", "id"],
                condition=models.Q(state="open"),
                name="task_owner_urgent_idx",
            ),
            models.Index(
                fields=["priority", "due_on", "id"],
                condition=models.Q(state="open"),
                name="task_open_urgent_idx",
            ),
            # The list's kind filter over everyone's (survey follow-ups among all tasks).
            models.Index(
                fields=["kind", "due_on", "priority", "id"],
                condition=models.Q(state="open"),
                name="task_kind_open_idx",
            ),
        ]

    def __str__(self):
        return f"{self.title} (due {self.due_on})"


class Note(models.Model):
    """A staff member's note about a customer; pinned notes stay on top."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="work_notes",
        db_index=False,  # covered by note_customer_idx
    )
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-pinned", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-pinned", "-created_at"], name="note_customer_idx"),
        ]

    def __str__(self):
        return self.text[:60]


class Notification(models.Model):
    """A message to one staff member, with a link to what it is about, until they read it."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        OVERDUE = "overdue", "Overdue"
        APPROVAL = "approval", "Waiting for approval"
        ALERT = "alert", "Needs attention"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="work_notifications",
        db_index=False,  # covered by notification_recipient_idx
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    text = models.CharField(max_length=300)
    link_url = models.CharField(max_length=500, blank=True, help_text="A path on this site.")
    # The task an overdue notice is about: one notice per task, however often the job runs.
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at", "-id"], name="notification_recipient_idx"
            ),
            # My unread notifications, newest first (and the header's count).
            models.Index(
                fields=["recipient", "-created_at", "-id"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(kind="overdue"),
                name="notification_one_overdue_per_task",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"
