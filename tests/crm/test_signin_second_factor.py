"""The second factor: where CRM_REQUIRE_SECOND_FACTOR is on, managers, administrators and
superusers set up a TOTP app before any staff page (Django admin included) and verify a code at
each sign-in; agents need not. Whoever set one up is asked for it whatever the setting. The
codes are computed here as an authenticator app would (RFC 6238), from the key the page shows."""

import base64
import hashlib
import hmac
import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm.signin.models import SignInEvent
from crm.signin.second_factor import (
    recovery_codes_issue,
    secret_for_typing,
    totp_enrolment_device,
)
from crm.signin.views import WRONG_CODE, WRONG_SET_UP_CODE
from customers import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
CUSTOMERS = reverse("customers:list")
ENROL = reverse("second_factor_enrol")
VERIFY = reverse("second_factor_verify")


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The six-digit code an authenticator app shows for this base32 key (RFC 6238)."""
    key = base64.b32decode("".join(secret.split()))
    counter = int(time.time() // 30) + steps_ahead
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def user_in(role: str | None, **fields):
    user = UserFactory(**fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def enrolled(user) -> str:
    """Gives ``user`` a confirmed app; returns its key."""
    device = totp_enrolment_device(user=user)
    device.confirmed = True
    device.save()
    return secret_for_typing(device)


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


@pytest.fixture
def required(settings):
    settings.CRM_REQUIRE_SECOND_FACTOR = True


def test_the_roles_that_must_use_it_are_managers_and_administrators():
    assert set(settings.CRM_SECOND_FACTOR_ROLES) == {roles.MANAGER, roles.ADMINISTRATOR}


@pytest.mark.parametrize(
    ("role", "is_superuser"),
    [(roles.MANAGER, False), (roles.ADMINISTRATOR, False), (None, True)],
    ids=["manager", "administrator", "superuser"],
)
def test_where_required_a_manager_or_administrator_is_sent_to_set_it_up(
    client, required, role, is_superuser
):
    user = user_in(role, is_superuser=is_superuser)

    response = sign_in(client, user)
    assert response["Location"] == reverse("home:home")

    for page in (CUSTOMERS, reverse("admin:index")):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == f"{ENROL}?next={page}"


def test_where_required_an_agent_signs_in_with_the_password_alone(client, required):
    sign_in(client, user_in(roles.AGENT))

    assert client.get(CUSTOMERS).status_code == 200


def test_where_it_is_not_required_a_manager_signs_in_with_the_password_alone(client):
    sign_in(client, user_in(roles.MANAGER))

    assert client.get(CUSTOMERS).status_code == 200


def test_the_partner_api_refuses_a_session_that_owes_its_second_factor(client, required):
    sign_in(client, user_in(roles.MANAGER))

    response = client.get(reverse("api:customer-list"))

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")


def test_setting_it_up_with_a_code_from_the_app_opens_the_staff_pages(client, required):
    manager = user_in(roles.MANAGER)
    sign_in(client, manager)
    page = client.get(f"{ENROL}?next={CUSTOMERS}")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in page.content.decode()

    response = client.post(ENROL, {"code": totp_code(page.context["secret"]), "next": CUSTOMERS})

    assert response.status_code == 200
    codes = response.context["recovery_codes"]
    assert len(codes) == 10 and all(code in response.content.decode() for code in codes)
    assert TOTPDevice.objects.get(user=manager).confirmed
    assert client.get(CUSTOMERS).status_code == 200
    assert SignInEvent.objects.filter(
        kind=SignInEvent.Kind.SECOND_FACTOR_ENROLLED, user=manager
    ).exists()


def test_the_page_shows_the_same_key_until_the_app_is_confirmed(client):
    sign_in(client, user_in(roles.AGENT))

    first, again = client.get(ENROL), client.get(ENROL)

    assert first.context["secret"] == again.context["secret"]


def test_a_wrong_code_does_not_set_it_up(client, required):
    manager = user_in(roles.MANAGER)
    sign_in(client, manager)
    secret = client.get(ENROL).context["secret"]

    response = client.post(ENROL, {"code": totp_code(secret, steps_ahead=10)})

    assert WRONG_SET_UP_CODE in response.content.decode()
    assert not TOTPDevice.objects.get(user=manager).confirmed
    assert client.get(CUSTOMERS)["Location"] == f"{ENROL}?next={CUSTOMERS}"
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.SECOND_FACTOR_FAILED).count() == 1


def test_anyone_who_set_it_up_verifies_a_code_after_the_password(client):
    agent = user_in(roles.AGENT)
    secret = enrolled(agent)

    sign_in(client, agent)
    assert client.get(CUSTOMERS)["Location"] == f"{VERIFY}?next={CUSTOMERS}"

    response = client.post(VERIFY, {"code": totp_code(secret), "next": CUSTOMERS})

    assert response["Location"] == CUSTOMERS
    assert client.get(CUSTOMERS).status_code == 200
    assert SignInEvent.objects.filter(
        kind=SignInEvent.Kind.SECOND_FACTOR_VERIFIED, user=agent, detail="app code"
    ).exists()


def test_a_wrong_code_is_refused_and_logged(client):
    agent = user_in(roles.AGENT)
    enrolled(agent)
    sign_in(client, agent)

    response = client.post(VERIFY, {"code": "000000"})

    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert client.get(CUSTOMERS)["Location"].startswith(VERIFY)
    assert SignInEvent.objects.filter(
        kind=SignInEvent.Kind.SECOND_FACTOR_FAILED, user=agent
    ).exists()


def test_a_recovery_code_works_once(client):
    agent = user_in(roles.AGENT)
    enrolled(agent)
    code = recovery_codes_issue(user=agent)[0]
    sign_in(client, agent)

    assert client.post(VERIFY, {"code": code.upper()})["Location"] == "/"

    assert not StaticToken.objects.filter(token=code).exists()
    client.logout()
    sign_in(client, agent)
    assert WRONG_CODE in client.post(VERIFY, {"code": code}).content.decode()


def test_the_verify_page_never_sends_anyone_to_another_site(client):
    agent = user_in(roles.AGENT)
    secret = enrolled(agent)
    sign_in(client, agent)

    response = client.post(VERIFY, {"code": totp_code(secret), "next": "https://evil.example/"})

    assert response["Location"] == "/"


def test_the_second_factor_pages_send_a_visitor_to_the_login_page(client):
    for page in (ENROL, VERIFY):
        assert client.get(page)["Location"].startswith(f"{reverse('login')}?next=")


def test_a_session_that_has_not_verified_its_factor_cannot_set_up_another(client):
    agent = user_in(roles.AGENT)
    enrolled(agent)
    sign_in(client, agent)

    assert client.get(ENROL)["Location"] == f"{VERIFY}?next=/"
    assert TOTPDevice.objects.filter(user=agent).count() == 1
