"""A partner rotates its hub's signing secret; for the overlap both secrets sign each delivery."""

import hashlib
import hmac
from datetime import datetime, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from customers.models import ActionLog
from customers.partners.models import HubSubscription

from .conftest import individual
from .test_hub import _subscribe, _verified

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _signatures(headers: dict, body: bytes, *secrets: str) -> tuple[list[str], list[str]]:
    """The header's v1 values, and the ones each secret would make over this body."""
    items = [item.split("=", 1) for item in headers["X-Crm-Signature"].split(",")]
    timestamp = next(value for key, value in items if key == "t")
    sent = [value for key, value in items if key == "v1"]
    made = [
        hmac.new(s.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        for s in secrets
    ]
    return sent, made


def _delivered(api, receiver, capture) -> tuple[dict, bytes]:
    with capture(execute=True):
        api.post("/customer", individual())
    return receiver.take()


def test_rotating_answers_a_new_secret_once_with_the_end_of_the_overlap(alpha_api, receiver, tmf):
    hub_id, old = _subscribe(alpha_api, receiver)

    response = alpha_api.post(f"/hub/{hub_id}/rotateSecret", {})

    assert response.status_code == 200
    body = response.json()
    tmf.validate(body, "Hub")
    assert body["id"] == hub_id and len(body["secret"]) >= 32 and body["secret"] != old
    assert response["Cache-Control"] == "no-store"
    until = datetime.fromisoformat(body["previousSecretValidUntil"])
    assert abs(until - (timezone.now() + timedelta(hours=24))) < timedelta(minutes=1)
    assert "secret" not in alpha_api.get(f"/hub/{hub_id}").json()
    assert ActionLog.objects.filter(action="hub.secret_rotated").count() == 1


def test_during_the_overlap_each_delivery_is_signed_with_the_new_and_the_old_secret(
    alpha_api, receiver, django_capture_on_commit_callbacks
):
    hub_id, old = _subscribe(alpha_api, receiver)
    new = alpha_api.post(f"/hub/{hub_id}/rotateSecret", {}).json()["secret"]

    headers, body = _delivered(alpha_api, receiver, django_capture_on_commit_callbacks)

    sent, made = _signatures(headers, body, new, old)
    assert sent == made  # the new secret's signature first, then the old one's
    assert _verified(headers, body, old)  # a receiver still holding the old secret accepts it


def test_after_the_overlap_only_the_new_secret_signs_and_the_old_one_is_dropped(
    alpha_api, receiver, django_capture_on_commit_callbacks
):
    hub_id, old = _subscribe(alpha_api, receiver)
    new = alpha_api.post(f"/hub/{hub_id}/rotateSecret", {}).json()["secret"]
    HubSubscription.objects.filter(pk=hub_id).update(
        previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
    )

    headers, body = _delivered(alpha_api, receiver, django_capture_on_commit_callbacks)

    sent, made = _signatures(headers, body, new, old)
    assert sent == made[:1]
    assert _verified(headers, body, new) and not _verified(headers, body, old)
    hub = HubSubscription.objects.get(pk=hub_id)
    assert hub.previous_secret == "" and hub.previous_secret_expires_at is None


@override_settings(CRM_HUB_SECRET_OVERLAP_HOURS=0)
def test_without_an_overlap_the_old_secret_stops_signing_at_once(
    alpha_api, receiver, django_capture_on_commit_callbacks
):
    hub_id, old = _subscribe(alpha_api, receiver)
    response = alpha_api.post(f"/hub/{hub_id}/rotateSecret", {})
    assert "previousSecretValidUntil" not in response.json()

    headers, body = _delivered(alpha_api, receiver, django_capture_on_commit_callbacks)

    assert _verified(headers, body, response.json()["secret"])
    assert not _verified(headers, body, old)


def test_a_partner_may_choose_its_new_secret_and_it_is_not_echoed(alpha_api, receiver):
    hub_id, _ = _subscribe(alpha_api, receiver)

    response = alpha_api.post(f"/hub/{hub_id}/rotateSecret", {"secret": "my own secret 1234"})

    assert response.status_code == 200 and "secret" not in response.json()
    assert HubSubscription.objects.get(pk=hub_id).secret == "my own secret 1234"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"secret": "short"}, "16 to 128 characters"),
        ({"secret": 42}, "secret must be a string"),
        ({"callback": "https://elsewhere.example/"}, "Unknown attributes: callback"),
    ],
)
def test_a_bad_rotation_is_a_400_and_changes_nothing(alpha_api, receiver, tmf, body, message):
    hub_id, old = _subscribe(alpha_api, receiver)

    response = alpha_api.post(f"/hub/{hub_id}/rotateSecret", body)

    assert response.status_code == 400
    tmf.validate(response.json(), "Error")
    assert message in response.json()["message"]
    assert HubSubscription.objects.get(pk=hub_id).secret == old


def test_a_partner_cannot_rotate_another_partners_hub(alpha_api, beta_api, receiver, tmf):
    hub_id, old = _subscribe(alpha_api, receiver)

    response = beta_api.post(f"/hub/{hub_id}/rotateSecret", {})

    assert response.status_code == 404
    tmf.validate(response.json(), "Error")
    hub = HubSubscription.objects.get(pk=hub_id)
    assert hub.secret == old and hub.previous_secret == ""


def test_a_removed_hub_cannot_be_rotated(alpha_api, receiver):
    hub_id, _ = _subscribe(alpha_api, receiver)
    alpha_api.delete(f"/hub/{hub_id}")

    assert alpha_api.post(f"/hub/{hub_id}/rotateSecret", {}).status_code == 404
