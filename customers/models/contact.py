from django.db import models


class ContactMedium(models.Model):
    """One way to reach a party. A party has as many as it needs, of every kind."""

    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"
        MOBILE = "mobile", "Mobile"
        POSTAL = "postal", "Postal address"
        WEB = "web", "Web portal"
        SOCIAL = "social", "Social media"

    party = models.ForeignKey(
        "customers.Party",
        on_delete=models.CASCADE,
        related_name="contact_media",
        db_index=False,  # covered by contact_party_idx
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # The normalised value: a lower-cased e-mail, an E.164 number, a one-line address or a URL.
    value = models.CharField(max_length=320)
    label = models.CharField(max_length=40, blank=True, help_text="Home, work, billing …")
    # Postal addresses keep their parts for letters and for matching.
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")
    is_preferred = models.BooleanField(default=False)
    is_verified = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-is_preferred", "id"]
        indexes = [
            models.Index(
                fields=["value", "kind"],
                name="contact_value_idx",
                opclasses=["varchar_pattern_ops", "varchar_ops"],
            ),
            models.Index(fields=["party", "kind"], name="contact_party_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "kind", "value"], name="contact_unique_per_party"
            ),
            models.UniqueConstraint(
                fields=["party", "kind"],
                condition=models.Q(is_preferred=True),
                name="contact_one_preferred_per_kind",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"
