from django.db import models

from crm.sealed import EncryptedDateField, EncryptedTextField


class Party(models.Model):
    """A person or an organisation the enterprise knows (SID / TMF632 Party).

    Individuals and organisations share one table: the customer list, search and matching all
    read both, and one table keeps those reads to a single indexed scan.
    """

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Individual"
        ORGANIZATION = "organization", "Organization"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INDIVIDUAL)

    # Individual
    title = models.CharField(max_length=20, blank=True)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    # Both stored encrypted (crm.sealed, CRM_SECRETS_KEY): a copy of the database does not give
    # them away. The national id is found by its keyed hash, kept in step by the services.
    birth_date = EncryptedDateField(null=True, blank=True)
    national_id = EncryptedTextField(
        max_length=40, blank=True, help_text="Passport, ID card or social security number."
    )
    national_id_digest = models.CharField(max_length=32, blank=True, editable=False)

    # Organization
    legal_name = models.CharField(max_length=200, blank=True)
    trading_name = models.CharField(max_length=200, blank=True)
    registration_number = models.CharField(max_length=40, blank=True)

    # Kept in step by the services: what lists show, and lower-case, accent-free forms that
    # prefix searches and sorting use through plain B-tree indexes. family_name_key holds the
    # family name of a person or the trading name of an organisation.
    display_name = models.CharField(max_length=220)
    name_key = models.CharField(max_length=220, db_index=False)
    family_name_key = models.CharField(max_length=200, blank=True)
    # Family name first ("muller zoe"; the legal name for organisations): the order of a
    # phone book, which is how staff expect a list sorted by name.
    sort_key = models.CharField(max_length=220, default="")

    # The partner that registered the party through TMF632 (None: staff, an import, or with its
    # customer). A partner may use and see its own parties and those of its own customers.
    partner = models.ForeignKey(
        "customers.Partner",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # covered by party_partner_idx
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "parties"
        indexes = [
            models.Index(
                fields=["name_key"], name="party_name_key_idx", opclasses=["varchar_pattern_ops"]
            ),
            # Sorting by name walks the first; the pattern indexes serve prefix searches.
            models.Index(fields=["sort_key", "id"], name="party_sort_order_idx"),
            models.Index(
                fields=["sort_key"], name="party_sort_key_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["family_name_key"],
                name="party_family_key_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # A partner's own parties, newest first (TMF632 lists).
            models.Index(
                fields=["partner", "-id"],
                name="party_partner_idx",
                condition=models.Q(partner__isnull=False),
            ),
            models.Index(
                fields=["national_id_digest"],
                name="party_national_id_digest_idx",
                condition=~models.Q(national_id_digest=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="individual", family_name__gt="")
                    | models.Q(kind="individual", given_name__gt="")
                    | models.Q(kind="organization", legal_name__gt="")
                ),
                name="party_has_a_name",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_individual(self) -> bool:
        return self.kind == self.Kind.INDIVIDUAL
