from django.conf import settings
from django.db import models


class IdentityKey(models.Model):
    """A blocking key of a party: a short normalised value that a duplicate is likely to share.

    Candidate searches and the duplicate scan join on (kind, value) instead of comparing every
    party with every other, so finding the few likely matches stays an index lookup.
    """

    party = models.ForeignKey(
        "customers.Party", on_delete=models.CASCADE, related_name="identity_keys"
    )
    kind = models.CharField(max_length=20)
    value = models.CharField(max_length=120)

    class Meta:
        indexes = [models.Index(fields=["kind", "value"], name="identity_key_lookup_idx")]
        constraints = [
            models.UniqueConstraint(fields=["party", "kind", "value"], name="identity_key_unique")
        ]

    def __str__(self):
        return f"{self.kind}={self.value}"


class DuplicateCandidate(models.Model):
    """Two customers that may be one person, awaiting (or past) a decision by staff.

    A pair is stored once, lower id first; a "not a duplicate" decision stays, so the pair is
    never proposed again.
    """

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MERGED = "merged", "Merged"
        NOT_DUPLICATE = "not_duplicate", "Not a duplicate"

    class Source(models.TextChoices):
        SCAN = "scan", "Duplicate scan"
        CREATE = "create", "Check at create"
        IMPORT = "import", "Import"
        API = "api", "Partner API"

    customer_low = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+"
    )
    customer_high = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.SCAN)
    found_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-score", "id"]
        indexes = [
            models.Index(fields=["status", "-score"], name="duplicate_queue_idx"),
            models.Index(fields=["customer_high"], name="duplicate_high_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer_low", "customer_high"], name="duplicate_pair_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(customer_low__lt=models.F("customer_high")),
                name="duplicate_pair_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.customer_low_id} ~ {self.customer_high_id} ({self.score:.2f})"


class CustomerAlias(models.Model):
    """The number of a customer merged into another: it keeps resolving to the survivor."""

    number = models.CharField(max_length=12, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="aliases"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "customer aliases"

    def __str__(self):
        return f"{self.number} → {self.customer_id}"


class DuplicateScan(models.Model):
    """One run of the background duplicate scan over the whole base, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Parties are scanned in id ranges; the chunks left to do are what makes the scan resumable.
    first_party_id = models.BigIntegerField(default=0)
    last_party_id = models.BigIntegerField(default=0)
    chunk_size = models.PositiveIntegerField(default=5000)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    pairs_compared = models.BigIntegerField(default=0)
    pairs_found = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status__in=["queued", "running"]),
                name="duplicate_scan_one_at_a_time",
            )
        ]

    def __str__(self):
        return f"Scan {self.pk} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.status == self.Status.DONE else 0
        return round(100 * self.chunks_done / self.chunks_total)


class DuplicateScanChunk(models.Model):
    """One id range of a scan. Claimed atomically, so two workers never scan the same range."""

    scan = models.ForeignKey(DuplicateScan, on_delete=models.CASCADE, related_name="chunks")
    first_party_id = models.BigIntegerField()
    last_party_id = models.BigIntegerField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    pairs_found = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scan", "first_party_id"], name="duplicate_scan_chunk_unique"
            )
        ]

    def __str__(self):
        return f"{self.first_party_id} to {self.last_party_id}"
