"""Staff in each role (alice an agent, margaret a manager) and consenting customers with
surveys for them, all made through the services."""

from tests.customers.conftest import agent, analyst, other_agent  # noqa: F401
from tests.satisfaction.conftest import (  # noqa: F401
    consenting_customer,
    invitation,
    invite,
    make_consenting_customer,
    manager,
    nps_survey,
)
