"""Wrong passwords lock a username out from one address for the cool-off period: the right
password is refused meanwhile and the login page says why. Other addresses and other accounts
carry on, the lock ends by itself, and an administrator can lift it in Django admin."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from crm.signin.lockout import lockout_message
from customers import roles
from tests.crm.test_signin_second_factor import user_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def agent(db):
    return user_in(roles.AGENT)


def _sign_in(client, username, password, address="127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _fail_until_locked(client, username, address="127.0.0.1"):
    for _ in range(settings.CRM_SIGNIN_FAILURE_LIMIT):
        response = _sign_in(client, username, "not the password", address)
    return response


def test_the_last_failure_allowed_locks_the_account_and_the_page_says_for_how_long(client, agent):
    for _ in range(settings.CRM_SIGNIN_FAILURE_LIMIT - 1):
        assert _sign_in(client, agent.username, "not the password").status_code == 200

    response = _sign_in(client, agent.username, "not the password")

    assert response.status_code == 429
    assert lockout_message() in response.content.decode()
    assert f"{settings.CRM_SIGNIN_COOLOFF_MINUTES} minutes" in lockout_message()


def test_the_right_password_is_refused_while_locked(client, agent):
    _fail_until_locked(client, agent.username)

    response = _sign_in(client, agent.username, PASSWORD)

    assert response.status_code == 429
    assert lockout_message() in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_one_username_at_one_address(client, agent):
    colleague = UserFactory()
    _fail_until_locked(client, agent.username)

    assert _sign_in(client, colleague.username, PASSWORD).status_code == 302
    client.logout()
    assert _sign_in(client, agent.username, PASSWORD, address="192.0.2.7").status_code == 302


def test_the_lock_ends_after_the_cool_off(client, agent):
    _fail_until_locked(client, agent.username)
    cool_off = datetime.timedelta(minutes=settings.CRM_SIGNIN_COOLOFF_MINUTES)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - datetime.timedelta(1))

    assert _sign_in(client, agent.username, PASSWORD).status_code == 302


def test_an_administrator_unlocks_the_account_in_django_admin(client, agent):
    _fail_until_locked(client, agent.username)
    attempt = AccessAttempt.objects.get(username=agent.username)
    administrator = UserFactory(is_superuser=True)
    admin_client = type(client)()
    admin_client.force_login(administrator)

    response = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert _sign_in(client, agent.username, PASSWORD).status_code == 302


def test_a_successful_sign_in_forgets_the_earlier_failures(client, agent):
    for _ in range(settings.CRM_SIGNIN_FAILURE_LIMIT - 1):
        _sign_in(client, agent.username, "not the password")
    assert _sign_in(client, agent.username, PASSWORD).status_code == 302
    client.logout()

    response = _sign_in(client, agent.username, "not the password")

    assert response.status_code == 200
    assert not AccessAttempt.objects.filter(failures_since_start__gt=1).exists()
