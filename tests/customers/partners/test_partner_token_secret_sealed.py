"""A new token's secret waits in the session only sealed: the session rows and their backups
never hold it, and each token's secret waits apart from the others."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from customers.partners.models import ApiToken
from customers.partners.views import SECRET_SESSION_KEY, SECRET_WAITS
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def _issue(client, partner, name):
    response = client.post(
        reverse("partners:token_issue", args=[partner.pk]),
        {"name": name, "scopes": ["customer:read"]},
    )
    assert response.status_code == 303
    return response["Location"]


def _stored_session(client) -> tuple[str, str]:
    """The session's row as the database (and any backup of it) holds it, raw and decoded."""
    row = Session.objects.get(session_key=client.session.session_key)
    return row.session_data, str(row.get_decoded())


def test_the_session_row_holds_the_new_secret_only_sealed(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    page = _issue(client, partner, "billing sync")
    raw, decoded = _stored_session(client)

    secret = client.get(page).context["secret"]

    assert secret
    # "crm_<hex prefix>_<random>": the random part may itself hold an underscore.
    random_part = secret.split("_", 2)[-1]
    for stored in (raw, decoded):
        assert secret not in stored
        assert random_part not in stored


def test_two_tokens_issued_before_either_page_opens_each_show_their_own_secret(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    first_page = _issue(client, partner, "billing sync")
    second_page = _issue(client, partner, "porting sync")
    first, second = ApiToken.objects.filter(partner=partner).order_by("pk")

    second_secret = client.get(second_page).context["secret"]
    first_secret = client.get(first_page).context["secret"]

    assert second_secret.startswith(f"crm_{second.prefix}_")
    assert first_secret.startswith(f"crm_{first.prefix}_")
    assert SECRET_SESSION_KEY not in client.session


def test_an_expired_secret_is_purged_at_the_next_hand_over(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    _issue(client, partner, "billing sync")
    session = client.session
    [waiting] = session[SECRET_SESSION_KEY].values()
    waiting["issued_at"] = (timezone.now() - SECRET_WAITS - timedelta(seconds=1)).isoformat()
    session.save()

    _issue(client, partner, "porting sync")

    newest = ApiToken.objects.filter(partner=partner).latest("pk")
    assert list(client.session[SECRET_SESSION_KEY]) == [str(newest.pk)]


def test_a_tampered_sealed_secret_reads_as_already_shown(client, manager):
    partner = PartnerFactory()
    client.force_login(manager)
    page = _issue(client, partner, "billing sync")
    session = client.session
    [waiting] = session[SECRET_SESSION_KEY].values()
    waiting["sealed"] = waiting["sealed"][::-1]
    session.save()

    shown = client.get(page)

    assert shown.status_code == 200
    assert shown.context["secret"] is None
    assert "already shown" in shown.content.decode()
