from django.conf import settings
from django.db import models
from django.utils import timezone


class SignInEvent(models.Model):
    """One step of someone signing in or out, as it happened: written by ``crm.signin.log``
    and never changed."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in with the password"
        FAILED = "failed", "Wrong username or password"
        LOCKED_OUT = "locked_out", "Locked out"
        SIGNED_OUT = "signed_out", "Signed out"
        SESSION_EXPIRED = "session_expired", "Session expired"
        SECOND_FACTOR_ENROLLED = "second_factor_enrolled", "Second factor set up"
        SECOND_FACTOR_VERIFIED = "second_factor_verified", "Second factor verified"
        SECOND_FACTOR_FAILED = "second_factor_failed", "Wrong second-factor code"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    # As typed for a failed sign-in, so attempts on accounts that do not exist show too.
    username = models.CharField(max_length=150, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    path = models.CharField(max_length=200, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"
