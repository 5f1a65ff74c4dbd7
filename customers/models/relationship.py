from django.db import models


class CustomerRelationship(models.Model):
    """A directed link between two customers: the graph behind influence risk."""

    class Kind(models.TextChoices):
        REFERRED_BY = "referred_by", "Referred by"
        HOUSEHOLD = "household", "Same household as"
        ORGANISATION_CONTACT = "organisation_contact", "Contact person of"

    # Both are covered by composite indexes: relationship_unique and relationship_to_idx.
    from_customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="relationships_out",
        db_index=False,
    )
    to_customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="relationships_in",
        db_index=False,
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["from_customer", "to_customer", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_customer=models.F("to_customer")),
                name="relationship_not_to_self",
            ),
        ]
        indexes = [models.Index(fields=["to_customer", "kind"], name="relationship_to_idx")]

    def __str__(self):
        return f"{self.from_customer_id} {self.get_kind_display()} {self.to_customer_id}"
