"""Staff rotate a partner's hub secret from the partner's page: shown once, the old one overlaps."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from customers.models import ActionLog
from customers.partners.models import HubSubscription
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

OLD = "the-secret-the-partner-holds-now"


def _hub(partner, **fields):
    return HubSubscription.objects.create(
        partner=partner, callback="https://partner.example/hook", secret=OLD, **fields
    )


def _rotate_url(hub):
    return reverse("partners:hub_rotate", args=[hub.partner_id, hub.pk])


def test_a_manager_rotates_a_hub_secret_and_sees_the_new_one_once(client, manager):
    hub = _hub(PartnerFactory())
    client.force_login(manager)
    detail = client.get(reverse("partners:detail", args=[hub.partner_id])).content.decode()
    assert _rotate_url(hub) in detail

    assert client.get(_rotate_url(hub)).status_code == 200
    response = client.post(_rotate_url(hub))

    assert response.status_code == 303
    shown = client.get(response["Location"])
    hub.refresh_from_db()
    assert shown.context["secret"] == hub.secret != OLD
    assert shown["Cache-Control"] == "no-store"
    assert hub.signing_secrets() == [hub.secret, OLD]
    assert "already shown" in client.get(response["Location"]).content.decode()
    assert ActionLog.objects.get(action="hub.secret_rotated").actor == manager


def test_the_session_holds_the_new_hub_secret_only_sealed(client, manager):
    hub = _hub(PartnerFactory())
    client.force_login(manager)

    client.post(_rotate_url(hub))

    hub.refresh_from_db()
    row = Session.objects.get(session_key=client.session.session_key)
    assert hub.secret not in row.session_data and hub.secret not in str(row.get_decoded())


def test_the_partner_page_says_until_when_the_old_secret_signs(client, manager):
    hub = _hub(PartnerFactory())
    client.force_login(manager)
    client.post(_rotate_url(hub))
    hub.refresh_from_db()

    page = client.get(reverse("partners:detail", args=[hub.partner_id])).content.decode()

    assert f"old secret signs too until {hub.previous_secret_expires_at:%Y-%m-%d %H:%M}" in page


def test_rotating_a_hub_secret_needs_the_permission_to_manage_partner_credentials(client, agent):
    hub = _hub(PartnerFactory())
    client.force_login(agent)

    assert client.post(_rotate_url(hub)).status_code == 403
    hub.refresh_from_db()
    assert hub.secret == OLD


def test_another_partners_hub_cannot_be_rotated_through_this_partners_page(client, manager):
    hub = _hub(PartnerFactory(name="Blue MVNO"))
    other = PartnerFactory(name="Green Mobile")
    client.force_login(manager)

    response = client.post(reverse("partners:hub_rotate", args=[other.pk, hub.pk]))

    assert response.status_code == 404
    hub.refresh_from_db()
    assert hub.secret == OLD


def test_a_removed_hub_is_not_rotated(client, manager):
    hub = _hub(PartnerFactory())
    HubSubscription.objects.filter(pk=hub.pk).update(deleted_at="2026-01-01T00:00:00Z")
    client.force_login(manager)

    response = client.post(_rotate_url(hub), follow=True)

    assert "removed" in response.content.decode()
    hub.refresh_from_db()
    assert hub.secret == OLD
