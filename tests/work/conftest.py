"""Staff in each role (alice and bob are agents, margaret a manager, ravi an analyst) and
customers for them to work on, all made through the services."""

import pytest

from customers.models import Customer
from tests.customers.conftest import agent, analyst, other_agent  # noqa: F401
from tests.factories import CustomerFactory

# Margaret, a manager and the account manager of a consenting customer whose detractor answer
# opens a survey follow-up for her.
from tests.satisfaction.conftest import (  # noqa: F401
    consenting_customer,
    invitation,
    invite,
    make_consenting_customer,
    manager,
    nps_survey,
)


@pytest.fixture
def customer(agent):  # noqa: F811
    return CustomerFactory(
        actor=agent, status=Customer.Status.ACTIVE, given_name="Ada", family_name="Active"
    )
