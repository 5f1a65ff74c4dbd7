"""Surveys, customers who agreed to be asked, and invitations already sent to them.

Everything is made through the services, as the product itself would: ``invite(survey,
customer)`` creates and sends an invitation, so its e-mail sits in ``mail.outbox``. Only one
invitation per customer is allowed within ``SATISFACTION_FATIGUE_DAYS``; a test that invites
the same customer twice sets it to 0 with the ``settings`` fixture.
"""

import itertools

import pytest
from django.contrib.auth.models import Group

from customers import roles
from customers.models import Customer
from customers.services import ContactMediumInput, consent_record, preferences_update
from satisfaction import services
from tests.customers.conftest import agent, analyst  # noqa: F401  (role fixtures)
from tests.factories import CustomerFactory, UserFactory

_numbers = itertools.count(1)


@pytest.fixture
def manager(db):
    """A manager, the account manager of ``consenting_customer``: follow-ups go to them."""
    user = UserFactory(username="margaret")
    user.groups.add(Group.objects.get(name=roles.MANAGER))
    return user


def _touch_point_survey(kind: str):
    return services.survey_create(
        name=f"Support {kind.upper()}",
        kind=kind,
        trigger="touch_point",
        interaction_kinds=["support"],
        actor=None,
    )


@pytest.fixture
def nps_survey(db):
    """Support NPS, asked after a support interaction, in the default wording (en, de, fr, es)."""
    return _touch_point_survey("nps")


@pytest.fixture
def csat_survey(db):
    return _touch_point_survey("csat")


@pytest.fixture
def ces_survey(db):
    return _touch_point_survey("ces")


@pytest.fixture
def make_consenting_customer(db):
    """``make_consenting_customer(language="de", account_manager=user, channel="email")``: an
    active customer with an e-mail address and a mobile number who consented to surveys on
    ``channel``."""

    def make(*, language: str = "en", account_manager=None, channel: str = "email", **fields):
        number = next(_numbers)
        fields.setdefault(
            "contact_media",
            [
                ContactMediumInput(kind="email", value=f"survey.customer{number}@example.com"),
                ContactMediumInput(kind="mobile", value=f"+4479112{number:05d}"),
            ],
        )
        customer = CustomerFactory(
            status=Customer.Status.ACTIVE, account_manager=account_manager, **fields
        )
        if language != "en":
            preferences_update(customer=customer, actor=None, language=language)
        consent_record(
            customer=customer,
            channel=channel,
            purpose="surveys",
            granted=True,
            source="web",
            actor=None,
        )
        return customer

    return make


@pytest.fixture
def consenting_customer(make_consenting_customer, manager):
    """Ada Answer: English, surveys by e-mail allowed, ``manager`` is her account manager."""
    return make_consenting_customer(given_name="Ada", family_name="Answer", account_manager=manager)


@pytest.fixture
def invite():
    """``invite(survey, customer, key="interaction:1")``: created and sent (status "sent")."""

    def make(survey, customer, *, key: str = "interaction:1", touch_point: str = "support"):
        cause = services.Cause(survey.trigger, key, touch_point)
        invitation = services.invitation_create(survey=survey, customer=customer, cause=cause)
        return services.invitation_send(invitation=invitation)

    return make


@pytest.fixture
def invitation(invite, nps_survey, consenting_customer):
    """The NPS survey sent to ``consenting_customer`` by e-mail."""
    return invite(nps_survey, consenting_customer)
