"""Data rights: erasure requests and legal holds, retention periods and their runs, the access
log, and subject-access exports."""

from django.conf import settings
from django.db import models

from crm.jobs.models import JobChunk, JobRun


class LegalHold(models.Model):
    """A customer whose data must be kept (a dispute, an investigation): no erasure and no
    retention deletion while it stands."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="legal_hold"
    )
    reason = models.CharField(max_length=300)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()

    def __str__(self):
        return f"Legal hold on {self.customer_id}: {self.reason}"


class ErasureRequest(models.Model):
    """A person's request to be forgotten: asked for by one staff member, approved (and then
    carried out) or refused by a manager who is someone else."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for approval"
        REFUSED = "refused", "Refused"
        ERASED = "erased", "Erased"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="erasure_requests"
    )
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.REQUESTED)
    reason = models.CharField(max_length=300, help_text="How the person asked, and when.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal = models.TextField(blank=True, help_text="Why it was refused.")
    # What the erasure changed, per table: the evidence that it was done (no personal data).
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [
            ("approve_erasurerequest", "Can approve or refuse a request to erase a customer"),
        ]
        constraints = [
            # One request waiting per customer: a second one finds the first.
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(status="requested"),
                name="erasure_one_waiting_per_customer",
            )
        ]
        indexes = [
            models.Index(
                fields=["-requested_at", "-id"],
                condition=models.Q(status="requested"),
                name="erasure_waiting_idx",
            )
        ]

    def __str__(self):
        return f"Erasure of {self.customer_id} ({self.status})"


class AccessLogEntry(models.Model):
    """Someone looked at a customer's data: opened the page, downloaded what is held about
    them. Kept CRM_ACCESS_LOG_DAYS."""

    class What(models.TextChoices):
        PAGE = "page", "Opened the customer page"
        SUBJECT_ACCESS = "subject_access", "Downloaded what is held about them"
        EXPORT = "export", "Exported their data"

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # covered by access_customer_idx
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    what = models.CharField(max_length=16, choices=What.choices)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["customer", "-at", "-id"], name="access_customer_idx")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.what} {self.customer_id}"


class SubjectAccessExport(models.Model):
    """Everything held about one customer, as JSON and as a readable document, written in the
    background; each download is in the access log."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Being written"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="subject_access_exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.QUEUED)
    finished_at = models.DateTimeField(null=True, blank=True)
    json_file = models.CharField(max_length=200, blank=True, help_text="Under MEDIA_ROOT.")
    html_file = models.CharField(max_length=200, blank=True, help_text="Under MEDIA_ROOT.")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        permissions = [("download_subjectaccessexport", "Can download what is held about someone")]

    def __str__(self):
        return f"Subject access export {self.pk} of {self.customer_id}"


class RetentionRule(models.Model):
    """How long one kind of data is kept; the nightly retention run applies every enabled
    rule."""

    class Kind(models.TextChoices):
        UNCONVERTED_LEADS = "unconverted_leads", "Leads never converted (erased)"
        TERMINATED_CUSTOMERS = "terminated", "Terminated customers (erased)"
        INTERACTIONS = "interactions", "Interaction texts (scrubbed)"
        SURVEY_COMMENTS = "survey_comments", "Survey comments (scrubbed)"
        ACTION_LOG = "action_log", "Action log entries (deleted)"

    kind = models.CharField(max_length=20, choices=Kind.choices, unique=True)
    days = models.PositiveIntegerField(help_text="Kept this many days after the data's date.")
    enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.days} days"


class RetentionRun(JobRun):
    """One application of the retention rules in chunks of customer ids. A dry run only
    counts what each rule would do, for the report an administrator reads first."""

    dry_run = models.BooleanField(default=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What each rule did (or, in a dry run, would do).
    leads_erased = models.PositiveIntegerField(default=0)
    terminated_erased = models.PositiveIntegerField(default=0)
    interactions_scrubbed = models.PositiveIntegerField(default=0)
    comments_scrubbed = models.PositiveIntegerField(default=0)
    log_entries_deleted = models.PositiveIntegerField(default=0)

    class Meta(JobRun.Meta):
        pass

    def __str__(self):
        return f"Retention run {self.pk}{' (dry run)' if self.dry_run else ''}"


class RetentionChunk(JobChunk):
    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="chunks")

    class Meta(JobChunk.Meta):
        pass
