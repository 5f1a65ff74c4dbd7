"""Customers who can sign in to the portal."""

import re

import pytest

from customers.models import Customer
from customers.services import ContactMediumInput
from tests.customers.conftest import manager  # noqa: F401  (a fixture)
from tests.factories import CustomerFactory, UserFactory

ADA_EMAIL = "ada@example.com"
ADA_MOBILE = "+447911123456"
OTTO_EMAIL = "otto@example.com"


def _customer(*, status, given_name, email, mobile="", verified=True, language="en"):
    media = [ContactMediumInput(kind="email", value=email, is_verified=verified)]
    if mobile:
        media.append(ContactMediumInput(kind="mobile", value=mobile, is_verified=verified))
    return CustomerFactory(
        status=status,
        given_name=given_name,
        family_name="Example",
        contact_media=media,
        language=language,
    )


@pytest.fixture
def ada(db):
    """An active customer with a verified e-mail address and a verified mobile number."""
    return _customer(
        status=Customer.Status.ACTIVE, given_name="Ada", email=ADA_EMAIL, mobile=ADA_MOBILE
    )


@pytest.fixture
def otto(db):
    """Another active customer: what is Ada's must never reach him, and the other way round."""
    return _customer(status=Customer.Status.ACTIVE, given_name="Otto", email=OTTO_EMAIL)


@pytest.fixture
def customer_like(db):
    """``customer_like(status=..., email=..., verified=...)``: a customer of any kind."""

    def make(*, status=Customer.Status.ACTIVE, email, verified=True, language="en"):
        return _customer(
            status=status, given_name="Casey", email=email, verified=verified, language=language
        )

    return make


@pytest.fixture
def staff_user(db):
    return UserFactory(username="agent-portal-test")


def code_in(message) -> str:
    """The 6-digit code of a sign-in message (an e-mail or the text of an SMS)."""
    body = message if isinstance(message, str) else message.body
    return re.search(r"\b(\d{6})\b", body).group(1)


def ask_for_code(client, address: str, **headers):
    return client.post("/my/sign-in/", {"address": address}, headers=headers)


def enter_code(client, code: str):
    return client.post("/my/sign-in/code/", {"code": code})


@pytest.fixture
def signed_in(client, mailoutbox):
    """``signed_in(customer_email)``: the client signed in to the portal as that address's
    customer, through the sign-in pages."""

    def sign_in(address: str = ADA_EMAIL):
        from django.core import mail

        ask_for_code(client, address)
        # mail.outbox itself: making a customer may replace the list mailoutbox gave.
        response = enter_code(client, code_in(mail.outbox[-1]))
        assert response.status_code == 303, response.content
        return client

    return sign_in


def portal_session(client):
    """The client's portal session (``client.session`` is the staff one)."""
    from importlib import import_module

    from django.conf import settings

    from portal.sessions import PORTAL_COOKIE_NAME

    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookie = client.cookies.get(PORTAL_COOKIE_NAME)
    return store(cookie.value if cookie else None)


@pytest.fixture
def agent_user(db):
    """A staff member in the agent role: one who may own and resolve interactions."""
    from django.contrib.auth.models import Group

    from customers import roles

    user = UserFactory(username="agent-account-manager")
    user.groups.add(Group.objects.get(name=roles.AGENT))
    return user


@pytest.fixture
def statement_for(settings, tmp_path):
    """``statement_for(customer)``: a statement of last month written by the statements app,
    its documents in a media folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"

    def write(customer):
        from django.db import transaction
        from django.utils import timezone

        from statements.figures import statement_figures
        from statements.periods import Period
        from statements.selectors import statements_of
        from statements.services import statements_write

        customer = Customer.objects.select_related("party", "preferences").get(pk=customer.pk)
        with transaction.atomic():
            statements_write(statement_figures([customer], Period.before(timezone.localdate())))
        return statements_of(customer).first()

    return write


ADA_TWIN_EMAIL = "ada.twin@example.com"


@pytest.fixture
def ada_twin(db):
    """Another customer of Ada's very name, with a verified address: whoever claims it as
    Ada is certainly this customer (the identity rules refuse it as a duplicate)."""
    return _customer(status=Customer.Status.ACTIVE, given_name="Ada", email=ADA_TWIN_EMAIL)
