"""Product holdings and billing facts, as other systems (ordering, billing) report them."""

import calendar
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from customers.models import Customer, Invoice, Payment, Product, Subscription
from customers.services.audit import action_log_record, customer_lock_for_edit

# A customer in one of these states holds no products; re-establishing comes first.
_NO_PRODUCTS = (Customer.Status.TERMINATED, Customer.Status.DISQUALIFIED)


def may_hold_products(status: str) -> bool:
    """Whether a customer in this status may hold products (and be given new ones)."""
    return status not in _NO_PRODUCTS


def due_date_valid(*, issued_on: date, due_on: date) -> bool:
    """An invoice falls due on or after the day it is issued."""
    return due_on >= issued_on


def _check_may_hold_products(customer: Customer, verb: str) -> None:
    if not may_hold_products(customer.status):
        raise ValidationError(
            f"Customer {customer.number} is {customer.get_status_display().lower()}; "
            f"re-establish the relationship before {verb} products.",
            code="no_products",
        )


def _check_charge(monthly_charge: Decimal | None) -> None:
    if monthly_charge is not None and monthly_charge < 0:
        raise ValidationError({"monthly_charge": "A monthly charge cannot be negative."})


def _locked_customer(customer: Customer) -> Customer:
    """Lock the customer (refusing a merged-away one) and read its status under the lock."""
    customer_lock_for_edit(customer)
    return Customer.objects.get(pk=customer.pk)


# Orders are placed for the coming months, not for years ahead.
MAX_DAYS_AHEAD = 366


@transaction.atomic
def subscription_add(
    *,
    customer: Customer,
    product: Product,
    start_date: date,
    actor,
    monthly_charge: Decimal | None = None,
    contract_term_months: int = 0,
    service_id: str = "",
) -> Subscription:
    """A product the customer now holds, from ``start_date``: at the catalogue's list price
    unless another charge was agreed. A suspended customer's new product is suspended with
    them; one that starts later is pending activation."""
    _check_charge(monthly_charge)
    customer = _locked_customer(customer)
    _check_may_hold_products(customer, "adding")
    if not Product.objects.filter(pk=product.pk, is_active=True).exists():
        raise ValidationError(
            {"product": f"{product.name} is no longer sold; choose a product from the catalogue."}
        )
    if start_date > timezone.localdate() + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError(
            {"start_date": f"A product can start at most {MAX_DAYS_AHEAD} days from today."}
        )
    if customer.status == Customer.Status.SUSPENDED:
        status = Subscription.Status.SUSPENDED
    elif start_date > timezone.localdate():
        status = Subscription.Status.PENDING
    else:
        status = Subscription.Status.ACTIVE
    subscription = Subscription(
        customer=customer,
        product=product,
        start_date=start_date,
        monthly_charge=product.list_price if monthly_charge is None else monthly_charge,
        contract_term_months=contract_term_months,
        service_id=service_id.strip(),
        status=status,
    )
    subscription.full_clean(exclude=["customer", "product"])
    subscription.save()
    action_log_record(
        action="subscription.added",
        customer=customer,
        actor=actor,
        data=subscription_added_data(subscription),
    )
    return subscription


def subscription_added_data(subscription: Subscription) -> dict:
    """What ``subscription.added`` tells the audit and other apps (risk rescores on it)."""
    return {
        "id": subscription.pk,
        "product": subscription.product.code,
        "monthly_charge": str(subscription.monthly_charge),
        "contract_term_months": subscription.contract_term_months,
        "start_date": subscription.start_date.isoformat(),
    }


def _locked_subscription(subscription: Subscription) -> tuple[Customer, Subscription]:
    customer = _locked_customer(subscription.customer)
    locked = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=subscription.pk)
    )
    if locked.customer_id != customer.pk:  # moved to a survivor by a merge meanwhile
        raise ValidationError("This product now belongs to another customer.")
    if locked.status == Subscription.Status.TERMINATED:
        raise ValidationError(
            f"{locked.product.name} ended on {locked.end_date:%Y-%m-%d}; add it again instead.",
            code="ended",
        )
    return customer, locked


# What staff may change on a product held, and how each value is written to the audit.
CHANGEABLE = ("monthly_charge", "contract_term_months", "service_id")


@transaction.atomic
def subscription_change(
    *,
    subscription: Subscription,
    actor,
    monthly_charge: Decimal | None = None,
    contract_term_months: int | None = None,
    service_id: str | None = None,
) -> Subscription:
    """Change the agreed charge, the contract term or the network id of a product held; the
    audit keeps the old and the new value of each. Arguments left None stay as they are."""
    _check_charge(monthly_charge)
    customer, subscription = _locked_subscription(subscription)
    _check_may_hold_products(customer, "changing")
    wanted = {
        "monthly_charge": monthly_charge,
        "contract_term_months": contract_term_months,
        "service_id": service_id.strip() if service_id is not None else None,
    }
    changes = {}
    for field in CHANGEABLE:
        new = wanted[field]
        old = getattr(subscription, field)
        if new is not None and new != old:
            changes[field] = {"from": str(old), "to": str(new)}
            setattr(subscription, field, new)
    if not changes:
        return subscription
    subscription.full_clean(exclude=["customer", "product"])
    subscription.save(update_fields=list(changes))
    action_log_record(
        action="subscription.changed",
        customer=customer,
        actor=actor,
        data={"id": subscription.pk, "product": subscription.product.code, **changes},
    )
    return subscription


def contract_end(subscription: Subscription) -> date | None:
    """The last day of the minimum term; None for month-to-month."""
    months = subscription.contract_term_months
    if not months:
        return None
    start = subscription.start_date
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


@transaction.atomic
def subscription_end(*, subscription: Subscription, actor, end_date: date) -> Subscription:
    """End a product on ``end_date`` (today or earlier, not before it started): it is
    terminated at once. Ending inside the minimum term is allowed and noted in the audit, so
    billing can charge for the early end."""
    customer, subscription = _locked_subscription(subscription)
    if end_date < subscription.start_date:
        raise ValidationError(
            {
                "end_date": "A product cannot end before it started "
                f"({subscription.start_date:%Y-%m-%d})."
            }
        )
    if end_date > timezone.localdate():
        raise ValidationError(
            {"end_date": "Give today or a past date; a later end is ordered in the network."}
        )
    subscription.end_date = end_date
    subscription.status = Subscription.Status.TERMINATED
    subscription.save(update_fields=["end_date", "status"])
    term_ends = contract_end(subscription)
    action_log_record(
        action="subscription.ended",
        customer=customer,
        actor=actor,
        data={
            "id": subscription.pk,
            "product": subscription.product.code,
            "end_date": end_date.isoformat(),
            "early": bool(term_ends and end_date < term_ends),
        },
    )
    return subscription


@transaction.atomic
def invoice_record(
    *,
    customer: Customer,
    number: str,
    period_start: date,
    issued_on: date,
    due_on: date,
    amount: Decimal,
    actor,
) -> Invoice:
    customer_lock_for_edit(customer)
    if not due_date_valid(issued_on=issued_on, due_on=due_on):
        raise ValidationError({"due_on": "The due date cannot be before the issue date."})
    if Invoice.objects.filter(number=number).exists():
        raise ValidationError({"number": f"Invoice {number} is already recorded."})
    invoice = Invoice.objects.create(
        customer=customer,
        number=number,
        period_start=period_start,
        issued_on=issued_on,
        due_on=due_on,
        amount=amount,
    )
    action_log_record(
        action="invoice.recorded",
        customer=customer,
        actor=actor,
        data=invoice_recorded_data(invoice),
    )
    return invoice


def invoice_recorded_data(invoice: Invoice) -> dict:
    """What ``invoice.recorded`` tells the audit and other apps."""
    return {
        "number": invoice.number,
        "amount": str(invoice.amount),
        "due_on": invoice.due_on.isoformat(),
    }


@transaction.atomic
def payment_record(
    *,
    customer: Customer,
    amount: Decimal,
    received_on: date,
    method: str,
    reference: str,
    actor,
    invoice: Invoice | None = None,
) -> Payment:
    """Record a payment; allocated to an invoice, it marks the invoice paid once covered."""
    customer_lock_for_edit(customer)
    if amount <= 0:
        raise ValidationError({"amount": "A payment must be a positive amount."})
    if method not in Payment.Method.values:
        raise ValidationError({"method": f"Unknown payment method '{method}'."})
    if Payment.objects.filter(reference=reference).exists():
        raise ValidationError({"reference": f"Payment {reference} is already recorded."})
    if invoice is not None and invoice.customer_id != customer.pk:
        raise ValidationError({"invoice": "That invoice belongs to another customer."})
    payment = Payment.objects.create(
        customer=customer,
        invoice=invoice,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference,
    )
    if invoice is not None:
        Invoice.objects.filter(pk=invoice.pk).update(paid_amount=F("paid_amount") + amount)
        invoice.refresh_from_db()
        if invoice.paid_on is None and invoice.paid_amount >= invoice.amount:
            invoice.paid_on = received_on
            invoice.save(update_fields=["paid_on"])
    action_log_record(
        action="payment.recorded",
        customer=customer,
        actor=actor,
        data={
            "reference": reference,
            "amount": str(amount),
            "invoice": invoice.number if invoice else None,
        },
    )
    return payment
