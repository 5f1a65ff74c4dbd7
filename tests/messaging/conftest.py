"""Customers who consented to service messages, and staff in each role."""

import pytest
from django.contrib.auth.models import Permission

from customers.models import Customer
from customers.services import ContactMediumInput, consent_record, preferences_update
from tests.customers.conftest import agent, manager  # noqa: F401  (fixtures)
from tests.factories import CustomerFactory


@pytest.fixture
def reachable(db):
    """``reachable(status, language=…, channel=…)``: a customer in ``status`` with an e-mail
    address and a mobile number, who consented to service messages on ``channel`` (after
    reaching that status, so getting there sent nothing) and may be contacted at any time."""

    def make(
        status=Customer.Status.ACTIVE,
        *,
        language="en",
        channel="email",
        email="kim@example.com",
        mobile="+41791234567",
    ) -> Customer:
        customer = CustomerFactory(
            status=status,
            given_name="Kim",
            family_name="Keller",
            language=language,
            contact_media=[
                ContactMediumInput(kind="email", value=email, is_preferred=True),
                ContactMediumInput(kind="mobile", value=mobile, is_preferred=True),
            ],
        )
        preferences_update(customer=customer, actor=None, contact_on_weekends=True)
        if channel:
            consent_record(
                customer=customer,
                channel=channel,
                purpose="service",
                granted=True,
                source="web",
                actor=None,
            )
        return customer

    return make


@pytest.fixture
def template_editor(manager):  # noqa: F811  (the fixture imported above)
    """A manager with the permission the roles are to give managers (customers/roles.py)."""
    manager.user_permissions.add(
        Permission.objects.get(
            content_type__app_label="messaging", codename="change_messagetemplate"
        )
    )
    return manager
