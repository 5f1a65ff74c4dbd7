from django.conf import settings
from django.db import models

from crm.jobs.models import JobChunk, JobRun


class ImportJob(JobRun):
    """A CSV file being imported in the background, in chunks of rows: those of a customer
    file side by side, those of a fact file in file order (``services.imports``)."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", "Customers with contact media"
        SUBSCRIPTIONS = "subscriptions", "Subscriptions"
        INVOICES = "invoices", "Invoices and payments"
        USAGE = "usage", "Monthly usage summaries"

    class OnDuplicate(models.TextChoices):
        REFUSE = "refuse", "Refuse certain duplicates, queue probable ones for review"
        QUEUE = "queue", "Import every row, queue all matches for review"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    on_duplicate = models.CharField(
        max_length=8, choices=OnDuplicate.choices, default=OnDuplicate.REFUSE
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(
        default=0, help_text="Already imported earlier (same external reference)."
    )
    rows_failed = models.PositiveIntegerField(default=0)
    duplicates_queued = models.PositiveIntegerField(default=0)

    class Meta(JobRun.Meta):
        db_table = "customers_importjob"
        ordering = ["-requested_at"]
        # The import list's filters, each in the list's id order.
        indexes = [
            models.Index(fields=["status", "id"], name="importjob_status_idx"),
            models.Index(fields=["kind", "id"], name="importjob_kind_idx"),
        ]

    def __str__(self):
        return f"Import {self.pk} of {self.original_name}"

    @property
    def percent_done(self) -> int:
        """By rows rather than chunks: a file is often a chunk or two."""
        if not self.rows_total:
            return 100 if self.status == self.Status.DONE else 0
        return round(100 * self.rows_done / self.rows_total)


class ImportChunk(JobChunk):
    """A range of row indexes of the file (0 being the first row after the header)."""

    run = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    # Chunks of a customer file run side by side; once all are done, the customers they wrote
    # are paired with each other (customers_import_complete).
    party_ids = models.JSONField(
        default=list, blank=True, help_text="Parties of the customers this chunk wrote."
    )
    # Its rows were matched with theirs as with the base: those pairs need no second look.
    chunks_seen = models.JSONField(
        default=list,
        blank=True,
        help_text="Chunks of the same file already written when this one looked for matches "
        "in the base.",
    )

    class Meta(JobChunk.Meta):
        db_table = "customers_importchunk"


class ImportRowError(models.Model):
    """Why one row of an import was not imported; nothing of that row was written."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(help_text="Line in the file, the header being 1.")
    external_ref = models.CharField(max_length=64, blank=True)
    field = models.CharField(max_length=40, blank=True)
    message = models.TextField()

    class Meta:
        db_table = "customers_importrowerror"
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_error_row_idx")]

    def __str__(self):
        return f"row {self.row_number}: {self.message}"
