"""A bulk action too large to apply while the page waits: a job of ``crm.jobs``."""

from django.conf import settings
from django.db import models

from crm.jobs.models import JobChunk, JobRun, one_in_progress_per


class BulkActionRun(JobRun):
    """One bulk action (``customers.bulk``) over the customers a list's filters or ticks
    selected, in chunks of customer ids; each chunk applies the action row by row through the
    action's service, and keeps the rows it refused and why."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=40)
    list_name = models.CharField(
        max_length=40, default="customers", help_text="The list (customers.bulk) it started from."
    )
    options = models.JSONField(default=dict, blank=True, help_text="Manager id, reason.")
    query = models.TextField(blank=True, help_text="The list's filters, when all rows are meant.")
    customer_ids = models.JSONField(default=list, blank=True, help_text="The ticked rows.")
    rows_expected = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)

    class Meta(JobRun.Meta):
        indexes = [models.Index(fields=["owner", "-requested_at"], name="bulkrun_owner_idx")]
        # Each staff member's own: someone's long export never makes another wait.
        constraints = [one_in_progress_per("owner")]

    def __str__(self):
        return f"Bulk {self.action} {self.pk}"


class BulkActionChunk(JobChunk):
    run = models.ForeignKey(BulkActionRun, on_delete=models.CASCADE, related_name="chunks")
    rows_done = models.PositiveIntegerField(default=0)
    rows_refused = models.PositiveIntegerField(default=0)

    class Meta(JobChunk.Meta):
        pass


class BulkActionRefusal(models.Model):
    """A customer a bulk action run left as it was, and the service's reason."""

    run = models.ForeignKey(BulkActionRun, on_delete=models.CASCADE, related_name="refusals")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    message = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "customer"], name="bulkrefusal_unique")
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.message}"
