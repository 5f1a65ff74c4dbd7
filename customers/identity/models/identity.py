from django.conf import settings
from django.db import models

from crm.jobs.models import JobChunk, JobRun


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
        db_table = "customers_identitykey"
        indexes = [models.Index(fields=["kind", "value", "party"], name="identity_key_members_idx")]
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
        db_table = "customers_duplicatecandidate"
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


class DuplicateScan(JobRun):
    """One run of the background duplicate scan over the whole base, in chunks of party ids."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    first_party_id = models.BigIntegerField(default=0)
    last_party_id = models.BigIntegerField(default=0)
    chunk_size = models.PositiveIntegerField(default=5000)
    pairs_compared = models.BigIntegerField(default=0)
    pairs_found = models.PositiveIntegerField(default=0)

    class Meta(JobRun.Meta):
        db_table = "customers_duplicatescan"
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Scan {self.pk} ({self.get_status_display()})"


class DuplicateScanChunk(JobChunk):
    """One range of party ids of a scan."""

    run = models.ForeignKey(DuplicateScan, on_delete=models.CASCADE, related_name="chunks")
    pairs_found = models.PositiveIntegerField(default=0)

    class Meta(JobChunk.Meta):
        db_table = "customers_duplicatescanchunk"
