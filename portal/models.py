"""The portal's own records: the one-time codes it sends and every sign-in attempt.

Neither holds an address or a code in clear: an address is kept as its keyed hash
(``crm.sealed.lookup_digest``), a code as a keyed hash of itself and its address.
"""

from django.db import models


class SignInCode(models.Model):
    """A one-time code sent to a customer's address: to sign in (a verified address), or to
    prove that a new address the customer gave on the portal reaches them.

    It is good once, until ``expires_at``, for a few wrong tries, and only for its purpose;
    the rows also count the codes sent, which is what the throttles read.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    class Purpose(models.TextChoices):
        SIGN_IN = "sign_in", "Sign in"
        CONTACT = "contact", "Verify a new contact address"

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="portal_codes",
        db_index=False,  # covered by portal_code_customer_idx
    )
    address_digest = models.CharField(max_length=32)
    code_digest = models.CharField(max_length=64)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    purpose = models.CharField(max_length=8, choices=Purpose.choices, default=Purpose.SIGN_IN)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Tries at the code, counted before each is checked, so that parallel guesses cannot
    # exceed the limit.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["address_digest", "-created_at"], name="portal_code_address_idx"),
            models.Index(fields=["customer", "-created_at"], name="portal_code_customer_idx"),
        ]

    def __str__(self):
        return f"Code {self.pk} for customer {self.customer_id}"


class PortalSignIn(models.Model):
    """One step of a portal sign-in, successful or not: the portal's sign-in log."""

    class Outcome(models.TextChoices):
        CODE_SENT = "code_sent", "Code sent"
        NO_MATCH = "no_match", "No code: address unknown, unverified or customer not served"
        THROTTLED = "throttled", "No code: too many codes asked for"
        SEND_FAILED = "send_failed", "Code could not be sent"
        SIGNED_IN = "signed_in", "Signed in"
        WRONG_CODE = "wrong_code", "Wrong code"
        NO_LIVE_CODE = "no_live_code", "No code in force (expired, used or too many tries)"
        SIGNED_OUT = "signed_out", "Signed out"

    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="portal_sign_ins",
        db_index=False,  # covered by portal_signin_customer_idx
    )
    address_digest = models.CharField(max_length=32, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-at"], name="portal_signin_customer_idx"),
            models.Index(fields=["-at"], name="portal_signin_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_outcome_display()} at {self.at:%Y-%m-%d %H:%M}"
