"""A session unused for CRM_SESSION_IDLE_MINUTES, or older than CRM_SESSION_MAX_HOURS since its
sign-in, is signed out on its next request, which goes to the login page saying why. The clock
is moved by moving the times the session keeps."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from crm.signin.models import SignInEvent
from crm.signin.sessions import LAST_SEEN_AT, SIGNED_IN_AT
from customers import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=roles.AGENT))
    client.force_login(user)
    return client


def _age(client, seconds_ago: dict[str, int]) -> None:
    session = client.session
    for key, seconds in seconds_ago.items():
        session[key] -= seconds
    session.save()


def test_a_session_idle_too_long_is_sent_to_the_login_page_saying_why(signed_in):
    _age(signed_in, {LAST_SEEN_AT: settings.CRM_SESSION_IDLE_MINUTES * 60 + 1})
    url = reverse("customers:list")

    response = signed_in.get(url, follow=True)

    assert response.redirect_chain[0] == (f"{reverse('login')}?next={url}", 302)
    page = response.content.decode()
    assert f"signed out after {settings.CRM_SESSION_IDLE_MINUTES} minutes without activity" in page
    assert "_auth_user_id" not in signed_in.session
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.SESSION_EXPIRED).count() == 1


def test_a_session_older_than_its_lifetime_ends_even_while_in_use(signed_in):
    _age(signed_in, {SIGNED_IN_AT: settings.CRM_SESSION_MAX_HOURS * 3600 + 1})

    response = signed_in.get(reverse("customers:list"), follow=True)

    assert f"a session lasts at most {settings.CRM_SESSION_MAX_HOURS} hours" in (
        response.content.decode()
    )
    assert "_auth_user_id" not in signed_in.session


def test_activity_within_the_idle_limit_keeps_the_session_and_counts_as_seen(signed_in):
    _age(signed_in, {LAST_SEEN_AT: settings.CRM_SESSION_IDLE_MINUTES * 60 - 5})
    before = signed_in.session[LAST_SEEN_AT]

    assert signed_in.get(reverse("customers:list")).status_code == 200

    assert signed_in.session[LAST_SEEN_AT] > before


def test_a_session_signed_in_before_the_timeouts_starts_counting_now(signed_in):
    session = signed_in.session
    del session[SIGNED_IN_AT], session[LAST_SEEN_AT]
    session.save()

    assert signed_in.get(reverse("customers:list")).status_code == 200

    assert SIGNED_IN_AT in signed_in.session


def test_the_session_cookie_lasts_no_longer_than_the_session(settings):
    assert settings.SESSION_COOKIE_AGE == settings.CRM_SESSION_MAX_HOURS * 3600
