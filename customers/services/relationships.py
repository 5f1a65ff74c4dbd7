from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.models import Customer, CustomerRelationship

from .audit import action_log_record, customer_lock_for_edit


def relationship_add(
    *, from_customer: Customer, to_customer: Customer, kind: str, actor
) -> CustomerRelationship:
    if from_customer.pk == to_customer.pk:
        raise ValidationError("A customer cannot be related to itself.")
    if kind not in CustomerRelationship.Kind.values:
        raise ValidationError({"kind": f"Unknown relationship '{kind}'."})
    try:
        with transaction.atomic():
            for customer in sorted((from_customer, to_customer), key=lambda c: c.pk):
                customer_lock_for_edit(customer)
            relationship = CustomerRelationship.objects.create(
                from_customer=from_customer, to_customer=to_customer, kind=kind
            )
            action_log_record(
                action="relationship.added",
                customer=from_customer,
                actor=actor,
                data={"kind": kind, "to": to_customer.number},
            )
    except IntegrityError:
        raise ValidationError(
            f"{from_customer.number} is already linked to {to_customer.number} this way."
        ) from None
    return relationship


@transaction.atomic
def relationship_remove(*, relationship: CustomerRelationship, actor) -> None:
    data = {"kind": relationship.kind, "to": relationship.to_customer.number}
    customer = relationship.from_customer
    relationship.delete()
    action_log_record(action="relationship.removed", customer=customer, actor=actor, data=data)
