"""Staff in each role, and pairs of customers for ownership checks.

The role groups come from the post_migrate hook (``customers.roles.roles_sync``), exactly as in a
real installation; the fixtures only put users into them.
"""

import pytest
from django.contrib.auth.models import Group

from customers import roles
from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory


def _staff_in(role: str, username: str):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def agent(db):
    return _staff_in(roles.AGENT, "alice")


@pytest.fixture
def other_agent(db):
    return _staff_in(roles.AGENT, "bob")


@pytest.fixture
def manager(db):
    return _staff_in(roles.MANAGER, "margaret")


@pytest.fixture
def analyst(db):
    return _staff_in(roles.RISK_ANALYST, "ravi")


@pytest.fixture
def lead(agent):
    return CustomerFactory(actor=agent, given_name="Lena", family_name="Lead")


@pytest.fixture
def active_customer(agent):
    return CustomerFactory(
        actor=agent, status=Customer.Status.ACTIVE, given_name="Ada", family_name="Active"
    )


@pytest.fixture
def other_active_customer(other_agent):
    return CustomerFactory(
        actor=other_agent, status=Customer.Status.ACTIVE, given_name="Otto", family_name="Other"
    )
