"""Product holdings and billing facts, as other systems (ordering, billing) report them."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from customers.models import Customer, Invoice, Payment, Product, Subscription

from .audit import action_log_record, customer_lock_for_edit


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
    customer_lock_for_edit(customer)
    if customer.status in (Customer.Status.TERMINATED, Customer.Status.DISQUALIFIED):
        raise ValidationError(
            f"Customer {customer.number} is {customer.get_status_display().lower()}; "
            "re-establish the relationship before adding products."
        )
    subscription = Subscription(
        customer=customer,
        product=product,
        start_date=start_date,
        monthly_charge=product.list_price if monthly_charge is None else monthly_charge,
        contract_term_months=contract_term_months,
        service_id=service_id,
        status=Subscription.Status.ACTIVE,
    )
    subscription.full_clean(exclude=["customer", "product"])
    subscription.save()
    action_log_record(
        action="subscription.added",
        customer=customer,
        actor=actor,
        data={
            "product": product.code,
            "monthly_charge": str(subscription.monthly_charge),
            "contract_term_months": contract_term_months,
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
    if due_on < issued_on:
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
        data={"number": number, "amount": str(amount), "due_on": due_on.isoformat()},
    )
    return invoice


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
