"""Abstract run and chunk models: a job kind's models add their own counters and inputs."""

from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


IN_PROGRESS = (JobStatus.QUEUED, JobStatus.RUNNING)


def one_in_progress_per(field: str) -> models.UniqueConstraint:
    """The constraint of a run model whose runs belong to someone (``JobKind.owner_field``):
    each owner may have one run in progress, whatever the others have."""
    return models.UniqueConstraint(
        fields=[field],
        condition=models.Q(status__in=["queued", "running"]),
        name=f"%(app_label)s_%(class)s_one_in_progress_per_{field}",
    )


class JobRun(models.Model):
    """A job of one kind: its status and how many of its chunks have ended."""

    Status = JobStatus

    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(
        default=0, help_text="Chunks that have ended, the failed ones included."
    )
    chunks_failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        constraints = [
            # One job of a kind at a time, queued or running: a second start finds the first.
            # The index is on a constant, so any two rows in progress collide.
            models.UniqueConstraint(
                models.Value(1),
                condition=models.Q(status__in=["queued", "running"]),
                name="%(app_label)s_%(class)s_one_in_progress",
            )
        ]

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS

    @property
    def percent_done(self) -> int:
        if not self.chunks_total:
            return 100 if self.status == JobStatus.DONE else 0
        return int(100 * self.chunks_done / self.chunks_total)


class JobChunk(models.Model):
    """One id range of a run (ids of customers, parties or rows of a file, by kind).

    The concrete model adds ``run``, a foreign key to its run model with related_name="chunks".
    """

    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True, help_text="When it ended, or failed.")
    failed = models.BooleanField(default=False)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["run", "first_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "first_id"], name="%(app_label)s_%(class)s_range_unique"
            )
        ]

    def __str__(self):
        return f"{self.first_id} to {self.last_id}"
