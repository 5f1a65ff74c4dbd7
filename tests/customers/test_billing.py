import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, Customer, Invoice, Payment, Subscription
from customers.services import invoice_record, payment_record, subscription_add
from tests.factories import CustomerFactory, InvoiceFactory, ProductFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 3, 1)


def _pay(customer, actor, amount, *, invoice=None, reference="PAY-1", received_on=TODAY, **extra):
    return payment_record(
        customer=customer,
        invoice=invoice,
        amount=Decimal(amount),
        received_on=received_on,
        method=extra.pop("method", Payment.Method.CARD),
        reference=reference,
        actor=actor,
        **extra,
    )


def _invoice(customer, actor, amount="40.00", *, number="INV-1", issued_on=TODAY, due_days=14):
    return invoice_record(
        customer=customer,
        number=number,
        period_start=issued_on.replace(day=1),
        issued_on=issued_on,
        due_on=issued_on + datetime.timedelta(days=due_days),
        amount=Decimal(amount),
        actor=actor,
    )


def test_subscription_is_charged_the_list_price_unless_told_otherwise(active_customer, manager):
    product = ProductFactory(list_price=Decimal("29.99"))

    listed = subscription_add(
        customer=active_customer, product=product, start_date=TODAY, actor=manager
    )
    discounted = subscription_add(
        customer=active_customer,
        product=product,
        start_date=TODAY,
        actor=manager,
        monthly_charge=Decimal("19.99"),
        contract_term_months=24,
        service_id="+447911123456",
    )

    assert listed.monthly_charge == Decimal("29.99")
    assert listed.status == Subscription.Status.ACTIVE
    discounted.refresh_from_db()
    assert (discounted.monthly_charge, discounted.contract_term_months) == (Decimal("19.99"), 24)
    entry = ActionLog.objects.filter(customer=active_customer).latest("id")
    assert (entry.action, entry.actor) == ("subscription.added", manager)
    assert entry.data == {
        "id": discounted.pk,
        "product": product.code,
        "monthly_charge": "19.99",
        "contract_term_months": 24,
        "start_date": "2025-03-01",
    }


@pytest.mark.parametrize("status", [Customer.Status.TERMINATED, Customer.Status.DISQUALIFIED])
def test_subscription_for_a_customer_who_has_left_is_refused(status, manager):
    customer = CustomerFactory(status=status)

    with pytest.raises(ValidationError) as refused:
        subscription_add(
            customer=customer, product=ProductFactory(), start_date=TODAY, actor=manager
        )

    assert customer.number in refused.value.messages[0]
    assert "re-establish" in refused.value.messages[0]
    assert not Subscription.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(
    "status", [Customer.Status.LEAD, Customer.Status.PROSPECT, Customer.Status.SUSPENDED]
)
def test_subscription_can_be_added_before_and_during_the_relationship(status, manager):
    customer = CustomerFactory(status=status)

    subscription_add(customer=customer, product=ProductFactory(), start_date=TODAY, actor=manager)

    assert Subscription.objects.filter(customer=customer).count() == 1


def test_subscription_with_a_negative_charge_is_refused(active_customer, manager):
    with pytest.raises(ValidationError):
        subscription_add(
            customer=active_customer,
            product=ProductFactory(),
            start_date=TODAY,
            actor=manager,
            monthly_charge=Decimal("-1.00"),
        )

    assert not Subscription.objects.exists()
    assert not ActionLog.objects.filter(action="subscription.added").exists()


def test_invoice_is_recorded_unpaid_and_logged(active_customer, manager):
    invoice = _invoice(active_customer, manager, "40.00")

    invoice.refresh_from_db()
    assert (invoice.amount, invoice.paid_amount, invoice.paid_on) == (
        Decimal("40.00"),
        Decimal("0"),
        None,
    )
    assert invoice.open_amount == Decimal("40.00")
    entry = ActionLog.objects.filter(customer=active_customer).latest("id")
    assert entry.action == "invoice.recorded"
    assert entry.data == {"number": "INV-1", "amount": "40.00", "due_on": "2025-03-15"}


def test_invoice_due_before_it_was_issued_is_refused(active_customer, manager):
    with pytest.raises(ValidationError) as refused:
        _invoice(active_customer, manager, due_days=-1)

    assert "due_on" in refused.value.message_dict
    assert not Invoice.objects.exists()


def test_invoice_due_on_the_day_it_is_issued_is_accepted(active_customer, manager):
    invoice = _invoice(active_customer, manager, due_days=0)

    assert invoice.due_on == invoice.issued_on


def test_invoice_number_recorded_twice_is_refused_even_for_another_customer(
    active_customer, other_active_customer, manager
):
    _invoice(active_customer, manager, number="INV-7")

    with pytest.raises(ValidationError) as refused:
        _invoice(other_active_customer, manager, number="INV-7")

    assert "INV-7 is already recorded" in refused.value.message_dict["number"][0]
    assert Invoice.objects.get(number="INV-7").customer == active_customer


def test_payment_covering_the_invoice_marks_it_paid_on_the_day_received(active_customer, manager):
    invoice = _invoice(active_customer, manager, "40.00")
    paid_on = TODAY + datetime.timedelta(days=20)

    _pay(active_customer, manager, "40.00", invoice=invoice, received_on=paid_on)

    invoice.refresh_from_db()
    assert invoice.paid_amount == Decimal("40.00")
    assert invoice.paid_on == paid_on
    assert invoice.open_amount == 0
    assert invoice.days_late == 6


def test_partial_payments_mark_the_invoice_paid_only_once_covered(active_customer, manager):
    invoice = _invoice(active_customer, manager, "40.00")

    _pay(active_customer, manager, "15.00", invoice=invoice, reference="PAY-1")
    invoice.refresh_from_db()
    assert (invoice.paid_amount, invoice.paid_on, invoice.open_amount) == (
        Decimal("15.00"),
        None,
        Decimal("25.00"),
    )
    second_day = TODAY + datetime.timedelta(days=3)
    _pay(
        active_customer,
        manager,
        "25.00",
        invoice=invoice,
        reference="PAY-2",
        received_on=second_day,
    )

    invoice.refresh_from_db()
    assert (invoice.paid_amount, invoice.paid_on) == (Decimal("40.00"), second_day)


def test_a_later_payment_does_not_move_the_date_an_invoice_was_paid(active_customer, manager):
    invoice = _invoice(active_customer, manager, "40.00")
    _pay(active_customer, manager, "40.00", invoice=invoice, reference="PAY-1")

    _pay(
        active_customer,
        manager,
        "5.00",
        invoice=invoice,
        reference="PAY-2",
        received_on=TODAY + datetime.timedelta(days=9),
    )

    invoice.refresh_from_db()
    assert (invoice.paid_amount, invoice.paid_on) == (Decimal("45.00"), TODAY)


def test_a_payment_without_an_invoice_is_kept_unallocated(active_customer, manager):
    invoice = _invoice(active_customer, manager, "40.00")

    payment = _pay(active_customer, manager, "40.00")

    assert Payment.objects.get(pk=payment.pk).invoice is None
    invoice.refresh_from_db()
    assert invoice.paid_on is None
    entry = ActionLog.objects.filter(customer=active_customer).latest("id")
    assert entry.action == "payment.recorded"
    assert entry.data == {"reference": "PAY-1", "amount": "40.00", "invoice": None}


def test_payment_reference_recorded_twice_is_refused(active_customer, manager):
    invoice = _invoice(active_customer, manager, "40.00")
    _pay(active_customer, manager, "10.00", invoice=invoice, reference="PAY-9")

    with pytest.raises(ValidationError) as refused:
        _pay(active_customer, manager, "30.00", invoice=invoice, reference="PAY-9")

    assert "reference" in refused.value.message_dict
    invoice.refresh_from_db()
    assert invoice.paid_amount == Decimal("10.00")
    assert Payment.objects.count() == 1


def test_payment_for_another_customers_invoice_is_refused(
    active_customer, other_active_customer, manager
):
    theirs = _invoice(other_active_customer, manager, "40.00")

    with pytest.raises(ValidationError) as refused:
        _pay(active_customer, manager, "40.00", invoice=theirs)

    assert "another customer" in refused.value.message_dict["invoice"][0]
    theirs.refresh_from_db()
    assert (theirs.paid_amount, theirs.paid_on) == (Decimal("0"), None)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["0.00", "-5.00"])
def test_payment_that_is_not_positive_is_refused(active_customer, manager, amount):
    with pytest.raises(ValidationError) as refused:
        _pay(active_customer, manager, amount)

    assert "amount" in refused.value.message_dict
    assert not Payment.objects.exists()


def test_payment_with_an_unknown_method_is_refused(active_customer, manager):
    with pytest.raises(ValidationError) as refused:
        _pay(active_customer, manager, "10.00", method="bitcoin")

    assert "method" in refused.value.message_dict
    assert not Payment.objects.exists()


def test_invoice_factory_records_through_the_service(active_customer):
    invoice = InvoiceFactory(customer=active_customer, amount=Decimal("12.50"))

    assert invoice.due_on > invoice.issued_on == timezone.localdate()
    assert ActionLog.objects.filter(customer=active_customer, action="invoice.recorded").exists()
