"""The rows the shared mechanisms keep for themselves."""

from django.db import models


class Handoff(models.Model):
    """Work handed to Celery, written in the same transaction as the change that asks for it.

    The row is removed once the broker has taken the task. While the broker cannot be reached
    the row waits, and the sweep (``crm.tasks.handoffs_sweep``) sends it when it can: a change
    that committed never loses the work it asked for. A task may then arrive twice (sent, but
    the process died before removing the row), so every task makes a repeat harmless by its
    own records.
    """

    task = models.CharField(max_length=200, help_text="The task's name, as Celery knows it.")
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(help_text="Not to run before this (the task's countdown).")
    attempts = models.PositiveIntegerField(
        default=0, help_text="Sends that the broker refused so far."
    )
    last_error = models.TextField(blank=True)
    queue = models.CharField(
        max_length=100, blank=True, help_text="The Celery queue; blank: the task's route."
    )
    request_id = models.CharField(
        max_length=128, blank=True, help_text="The request that asked for the work, for logs."
    )

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="handoff_created_idx")]

    def __str__(self):
        return f"{self.task}{tuple(self.args)!r}"
