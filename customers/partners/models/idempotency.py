from django.db import models


class IdempotentRequest(models.Model):
    """A create sent with an ``Idempotency-Key``, and the answer it got.

    A caller that did not hear the answer (a timeout, a dropped connection) sends the same
    request again with the same key and gets the same answer, instead of a second customer.
    Keys are the caller's own: a partner's, or a staff user's. Only answers of work done are
    kept; a refused request leaves no row, so it may be corrected and sent again.
    """

    caller = models.CharField(max_length=40, help_text="partner:<id> or user:<id>.")
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=300, help_text="Method and path with its query.")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the request body.")
    status_code = models.PositiveSmallIntegerField(default=0)
    body = models.JSONField(default=dict)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotent_request_once")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_request_age_idx")]

    def __str__(self):
        return f"{self.caller} {self.key}"
