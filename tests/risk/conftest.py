"""Staff in each role (the same fixtures as the customer tests) and established customers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Customer
from risk.models import RescoreRequest
from tests.customers.conftest import agent, analyst, manager  # noqa: F401  (fixtures)
from tests.factories import CustomerFactory, ProductFactory, SubscriptionFactory


@pytest.fixture
def established(db):
    """``established(n)`` makes n active customers, each holding a plan for over a year."""

    def make(count: int, *, charge_from: Decimal = Decimal("30.00")) -> list[Customer]:
        product = ProductFactory(code="MOB-RISK", list_price=Decimal("30.00"))
        customers = []
        for n in range(count):
            customer = CustomerFactory(status=Customer.Status.ACTIVE, family_name=f"Scored {n}")
            SubscriptionFactory(
                customer=customer,
                product=product,
                monthly_charge=charge_from + n,
                start_date=timezone.localdate() - timedelta(days=400),
            )
            customers.append(customer)
        # Establishing them asked for rescores whose tasks wait for a commit that a test's
        # transaction never makes; each test starts with none waiting.
        RescoreRequest.objects.all().delete()
        return customers

    return make
