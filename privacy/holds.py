"""Legal holds: a customer whose data must be kept (a dispute, an investigation, a court's
order). While a hold stands the customer cannot be erased, and the retention rules pass them
by."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from customers.models import Customer
from customers.services.audit import action_log_record, customer_lock_for_edit

from .models import LegalHold

SET_PERMISSION = "privacy.add_legalhold"
LIFT_PERMISSION = "privacy.delete_legalhold"


@transaction.atomic
def legal_hold_set(*, customer: Customer, reason: str, actor) -> LegalHold:
    if not actor.has_perm(SET_PERMISSION):
        raise PermissionDenied
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why the data must be kept."})
    customer_lock_for_edit(customer)
    hold, created = LegalHold.objects.get_or_create(
        customer=customer,
        defaults={"reason": reason[:300], "set_by": actor, "set_at": timezone.now()},
    )
    if not created:
        raise ValidationError("A legal hold stands already; lift it first to change it.")
    action_log_record(
        action="legal_hold.set", customer=customer, actor=actor, data={"reason": hold.reason}
    )
    return hold


@transaction.atomic
def legal_hold_lift(*, customer: Customer, actor) -> None:
    if not actor.has_perm(LIFT_PERMISSION):
        raise PermissionDenied
    customer_lock_for_edit(customer)
    deleted, _ = LegalHold.objects.filter(customer=customer).delete()
    if not deleted:
        raise ValidationError("No legal hold stands on this customer.")
    action_log_record(action="legal_hold.lifted", customer=customer, actor=actor)
