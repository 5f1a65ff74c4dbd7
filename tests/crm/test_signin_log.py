"""The sign-in log keeps each sign-in, failure, lockout and sign-out with the time, username,
address and browser, and Django admin shows it without letting anyone change it."""

import pytest
from django.conf import settings
from django.urls import reverse

from crm.signin.models import SignInEvent
from customers import roles
from tests.crm.test_signin_second_factor import user_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


@pytest.fixture
def agent(db):
    return user_in(roles.AGENT)


def _sign_in(client, username, password):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR="198.51.100.4",
        headers={"user-agent": BROWSER},
    )


def test_a_sign_in_and_a_sign_out_are_logged_with_address_and_browser(client, agent):
    _sign_in(client, agent.username, PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR="198.51.100.4")

    signed_in, signed_out = SignInEvent.objects.order_by("pk")
    assert (signed_in.kind, signed_in.user, signed_in.username) == (
        SignInEvent.Kind.SIGNED_IN,
        agent,
        agent.username,
    )
    assert (signed_in.ip_address, signed_in.user_agent) == ("198.51.100.4", BROWSER)
    assert signed_in.path == reverse("login")
    assert (signed_out.kind, signed_out.user) == (SignInEvent.Kind.SIGNED_OUT, agent)


def test_a_failure_is_logged_under_the_username_typed_even_when_it_does_not_exist(client):
    _sign_in(client, "nobody-here", "guess")

    failure = SignInEvent.objects.get()
    assert (failure.kind, failure.username, failure.user) == (
        SignInEvent.Kind.FAILED,
        "nobody-here",
        None,
    )
    assert failure.ip_address == "198.51.100.4"


def test_a_lockout_is_logged_once_beside_the_failures(client, agent):
    for _ in range(settings.CRM_SIGNIN_FAILURE_LIMIT):
        _sign_in(client, agent.username, "wrong")

    kinds = list(SignInEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds.count(SignInEvent.Kind.FAILED) == settings.CRM_SIGNIN_FAILURE_LIMIT
    assert kinds.count(SignInEvent.Kind.LOCKED_OUT) == 1


def test_django_admin_lists_the_log_and_changes_nothing(client, agent):
    _sign_in(client, agent.username, "wrong")
    event = SignInEvent.objects.get()
    client.force_login(UserFactory(is_superuser=True))

    listing = client.get(reverse("admin:signin_signinevent_changelist"))

    assert listing.status_code == 200
    assert agent.username in listing.content.decode()
    detail = client.get(reverse("admin:signin_signinevent_change", args=[event.pk]))
    assert detail.status_code == 200
    assert client.get(reverse("admin:signin_signinevent_add")).status_code == 403
    delete = client.post(
        reverse("admin:signin_signinevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert SignInEvent.objects.filter(pk=event.pk).exists()
