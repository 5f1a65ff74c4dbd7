"""Erasure by anonymisation, on a person's request, approved by a second person.

One staff member records the request; a manager who is someone else approves it, and the
customer is anonymised in the same transaction: every rule of ``privacy.personal`` is applied
set-based (one UPDATE or DELETE per table), the identity keys go so that the person matches no
one any more, and the customer number stays as a tombstone. Billing amounts, scores and survey
figures are kept without the person. Partners hear of it through their hub.

The legal check comes at the request and again at the approval: the relationship must have
ended (terminated or disqualified), nothing may be owed, and no legal hold may stand.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from customers.roles import staff_with_permission
from customers.services.audit import action_log_record, actor_label, customer_lock_for_edit
from customers.services.debt import customer_debt
from work.models import Notification
from work.services import notification_send, notifications_send

from .models import ErasureRequest, LegalHold
from .personal import RULES, People

REQUEST_PERMISSION = "privacy.add_erasurerequest"
APPROVE_PERMISSION = "privacy.approve_erasurerequest"
# A relationship that has ended; a lead never converted is erased by the retention rules.
ENDED = (Customer.Status.TERMINATED, Customer.Status.DISQUALIFIED)
ERASED_ACTION = "customer.erased"


def erasure_blockers(customer: Customer) -> list[str]:
    """Why ``customer`` may not be erased now (none: they may)."""
    blockers = []
    if customer.merged_into_id:
        blockers.append("This customer was merged into another; erase that one.")
    if ErasureRequest.objects.filter(
        customer=customer, status=ErasureRequest.Status.ERASED
    ).exists():
        blockers.append("This customer was erased already.")
        return blockers
    if customer.status not in ENDED:
        blockers.append("The relationship has not ended: terminate it (with its final bill) first.")
    debt = customer_debt(customer=customer)
    if debt.open_amount > 0:
        blockers.append(
            f"{debt.open_amount:.2f} {debt.currency} is still owed on "
            f"{debt.open_invoices} invoice(s); billing records must stay until it is settled."
        )
    hold = LegalHold.objects.filter(customer=customer).first()
    if hold is not None:
        blockers.append(f"A legal hold stands: {hold.reason}")
    return blockers


def _check_erasable(customer: Customer) -> None:
    blockers = erasure_blockers(customer)
    if blockers:
        raise ValidationError(blockers, code="blocked")


@transaction.atomic
def erasure_request(*, customer: Customer, reason: str, actor) -> ErasureRequest:
    """Record the person's request to be forgotten, and tell whoever may approve it."""
    if not actor.has_perm(REQUEST_PERMISSION):
        raise PermissionDenied
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say how and when the person asked."})
    customer_lock_for_edit(customer)
    _check_erasable(customer)
    return _request_record(customer, reason=reason, requested_by=actor, actor=actor)


def _request_record(customer: Customer, *, reason: str, requested_by, actor) -> ErasureRequest:
    """The waiting request (one per customer), logged, and the approvers told."""
    try:
        with transaction.atomic():
            request = ErasureRequest.objects.create(
                customer=customer,
                reason=reason[:300],
                requested_by=requested_by,
                requested_at=timezone.now(),
            )
    except IntegrityError:
        raise ValidationError(
            "A request to erase this customer is already waiting for approval.", code="waiting"
        ) from None
    action_log_record(
        action="erasure.requested", customer=customer, actor=actor, data={"request": request.pk}
    )
    _approvers_tell(request, actor)
    return request


# Who asked, when the person asked for themself on the customer portal.
SUBJECT = "portal"


@transaction.atomic
def erasure_request_by_subject(*, customer: Customer, reason: str) -> ErasureRequest:
    """The person's own request to be forgotten, made on the customer portal. It is recorded
    even while the relationship has not ended: the person has asked, and that is the evidence.
    A manager approves it as any other once nothing stands in the way (the relationship ended
    with its final bill, nothing owed, no legal hold): approval checks that again."""
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Say why, in a few words."})
    customer_lock_for_edit(customer)
    if customer.merged_into_id or customer.status == Customer.Status.MERGED:
        raise ValidationError("This customer record was merged into another.", code="merged")
    return _request_record(
        customer,
        reason=f"Asked on the customer portal: {reason}",
        requested_by=None,
        actor=SUBJECT,
    )


def _approvers_tell(request: ErasureRequest, actor) -> None:
    """A notice to each staff member who may approve, but not to the one who asked."""
    link = reverse("privacy:erasure", args=[request.pk])
    who = "The customer, on the portal," if actor == SUBJECT else actor_label(actor)
    text = (
        f"{who} asks to erase customer {request.customer.number}; "
        "it needs a second person's approval."
    )
    approvers = staff_with_permission(APPROVE_PERMISSION)
    if getattr(actor, "pk", None):
        approvers = approvers.exclude(pk=actor.pk)
    notifications_send(
        recipients=approvers, kind=Notification.Kind.APPROVAL, text=text, link_url=link
    )


def _locked_waiting(request: ErasureRequest) -> ErasureRequest:
    customer_lock_for_edit(request.customer)
    request = (
        ErasureRequest.objects.select_for_update(of=("self",))
        .select_related("customer", "requested_by")
        .get(pk=request.pk)
    )
    if request.status != ErasureRequest.Status.REQUESTED:
        raise ValidationError(
            f"This request was {request.get_status_display().lower()} already.", code="decided"
        )
    return request


def _check_second_person(request: ErasureRequest, actor) -> None:
    if not actor.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied
    if request.requested_by_id == actor.pk:
        raise ValidationError(
            "Someone other than the person who asked must approve an erasure.", code="same"
        )


@transaction.atomic
def erasure_approve(*, request: ErasureRequest, actor) -> ErasureRequest:
    """A second person approves: the legal check again, then the customer is anonymised."""
    request = _locked_waiting(request)
    _check_second_person(request, actor)
    customer = request.customer
    _check_erasable(customer)
    report = customer_anonymise(customer)
    request.status = ErasureRequest.Status.ERASED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.report = report
    request.save(update_fields=["status", "decided_by", "decided_at", "report"])
    # Logged after the scrub, so this entry stays: the evidence that the erasure was done.
    customer.refresh_from_db()
    action_log_record(
        action=ERASED_ACTION,
        customer=customer,
        actor=actor,
        data={"request": request.pk, "requested_by": actor_label(request.requested_by)},
    )
    if request.requested_by is not None:
        notification_send(
            recipient=request.requested_by,
            kind=Notification.Kind.APPROVAL,
            text=f"{actor_label(actor)} approved; customer {customer.number} is erased.",
            link_url=reverse("privacy:erasure", args=[request.pk]),
        )
    return request


@transaction.atomic
def erasure_refuse(*, request: ErasureRequest, refusal: str, actor) -> ErasureRequest:
    """A second person refuses, saying why; nothing is erased."""
    request = _locked_waiting(request)
    _check_second_person(request, actor)
    refusal = refusal.strip()
    if not refusal:
        raise ValidationError({"refusal": "Say why the request is refused."})
    request.status = ErasureRequest.Status.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.refusal = refusal
    request.save(update_fields=["status", "decided_by", "decided_at", "refusal"])
    action_log_record(
        action="erasure.refused",
        customer=request.customer,
        actor=actor,
        data={"request": request.pk},
    )
    return request


def customer_anonymise(customer: Customer) -> dict[str, int]:
    """Erase one customer (``customers_anonymise`` of a set of one)."""
    return customers_anonymise(Customer.objects.filter(pk=customer.pk))


def customers_anonymise(customers) -> dict[str, int]:
    """Apply every rule to the rows of ``customers`` (a queryset), irreversibly and set-based:
    overwrite what is about the people, delete what is only about them; one statement per
    table whatever their number. Returns the rows changed per table. Call inside the caller's
    transaction, the customers locked."""
    people = People.of(customers)
    if not people.ids:
        return {}
    report = {}
    for rule in RULES:
        rows = rule.model_class.objects.filter(rule.about(people))
        _stored_files_delete(rule, rows)
        if rule.delete:
            changed, _ = rows.delete()
        elif rule.scrub:
            changed = rows.update(
                **{
                    name: value() if callable(value) else value
                    for name, value in rule.scrub.items()
                }
            )
        else:
            continue
        if changed:
            report[rule.model] = changed
    return report


def _stored_files_delete(rule, rows) -> None:
    """The files the rows name (a subject-access export, a statement) go before the rows or
    their names do: a name erased from the table would leave its file behind for good."""
    if not rule.files:
        return
    for names in rows.values_list(*rule.files):
        for name in names:
            if name:
                default_storage.delete(str(name))


def erasure_waiting_for(user) -> list[ErasureRequest]:
    """The requests ``user`` may decide: waiting, asked by someone else."""
    if not user.has_perm(APPROVE_PERMISSION):
        return []
    return list(
        ErasureRequest.objects.filter(status=ErasureRequest.Status.REQUESTED)
        .exclude(requested_by=user)
        .select_related("customer__party", "requested_by")
        .order_by("-requested_at", "-id")[:50]
    )


def erasure_panel(customer: Customer) -> dict:
    """The customer page's "Data rights" panel: the legal hold, a waiting request, the
    erasure done. Two queries."""
    requests = {
        request.status: request
        for request in ErasureRequest.objects.filter(
            customer=customer,
            status__in=[ErasureRequest.Status.REQUESTED, ErasureRequest.Status.ERASED],
        ).select_related("requested_by")
    }
    return {
        "hold": LegalHold.objects.filter(customer=customer).select_related("set_by").first(),
        "waiting": requests.get(ErasureRequest.Status.REQUESTED),
        "erased": requests.get(ErasureRequest.Status.ERASED),
    }
