from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.models import Customer, CustomerRelationship
from customers.services.audit import action_log_record, customer_lock_for_edit


def relationship_check(*, from_customer: Customer, to_customer: Customer, kind: str) -> None:
    """Refuse a link the relationship graph cannot hold, naming the field that is wrong."""
    if from_customer.pk == to_customer.pk:
        raise ValidationError({"to_customer": "A customer cannot be related to itself."})
    if kind not in CustomerRelationship.Kind.values:
        raise ValidationError({"kind": f"Unknown relationship '{kind}'."})
    if CustomerRelationship.objects.filter(
        from_customer=from_customer, to_customer=to_customer, kind=kind
    ).exists():
        raise ValidationError({"to_customer": _already_linked(from_customer, to_customer)})


def _already_linked(from_customer: Customer, to_customer: Customer) -> str:
    return f"{from_customer.number} is already linked to {to_customer.number} this way."


def relationship_add(
    *, from_customer: Customer, to_customer: Customer, kind: str, actor
) -> CustomerRelationship:
    relationship_check(from_customer=from_customer, to_customer=to_customer, kind=kind)
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
    except IntegrityError:  # the same link added at the same moment by someone else
        raise ValidationError(
            {"to_customer": _already_linked(from_customer, to_customer)}
        ) from None
    return relationship


@transaction.atomic
def relationship_remove(*, relationship: CustomerRelationship, actor) -> None:
    data = {"kind": relationship.kind, "to": relationship.to_customer.number}
    customer = relationship.from_customer
    relationship.delete()
    action_log_record(action="relationship.removed", customer=customer, actor=actor, data=data)
