"""An export too large to download while it is written: a job of the ``crm.jobs`` mechanism."""

from django.conf import settings
from django.db import models

from crm.jobs.models import JobChunk, JobRun, one_in_progress_per


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"


class ExportJob(JobRun):
    """The rows of one list under the filters of ``query``, written to a file for ``owner``.

    Chunks run in order, each after the keyset cursor the one before it left in ``cursor``;
    ``bytes_written`` is what committed chunks wrote, so a chunk tried again first cuts the
    file back to it and never writes a row twice."""

    Format = ExportFormat

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=40, help_text="The list exported, e.g. customers.")
    query = models.TextField(
        blank=True, help_text="The list's filters and sort, as a query string."
    )
    format = models.CharField(max_length=4, choices=ExportFormat.choices)
    rows_expected = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    cursor = models.TextField(blank=True)
    bytes_written = models.BigIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True, help_text="Under MEDIA_ROOT.")

    class Meta(JobRun.Meta):
        indexes = [models.Index(fields=["owner", "-requested_at"], name="exportjob_owner_idx")]
        # Each staff member's own: someone's long export never makes another wait.
        constraints = [one_in_progress_per("owner")]

    def __str__(self):
        return f"Export {self.pk} of {self.source} ({self.format})"


class ExportChunk(JobChunk):
    """One slice of an export's rows: chunk n writes the n-th slice (its first_id is n)."""

    run = models.ForeignKey(ExportJob, on_delete=models.CASCADE, related_name="chunks")
    rows_done = models.PositiveIntegerField(default=0)

    class Meta(JobChunk.Meta):
        pass
