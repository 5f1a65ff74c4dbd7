"""Staff in each role (the same fixtures as the customer tests), and an administrator."""

import pytest
from django.contrib.auth.models import Group

from customers import roles
from tests.customers.conftest import agent, analyst, manager, other_agent  # noqa: F401
from tests.factories import UserFactory
from tests.satisfaction.conftest import invite, make_consenting_customer, nps_survey  # noqa: F401


@pytest.fixture
def administrator(db):
    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user
