"""Request bodies: a null character or a lone UTF-16 surrogate anywhere is a 400, and a body
over the limit a 413, each a TMF Error body, never a 500."""

import json

import pytest
from django.test import Client, override_settings

from customers.models import Customer
from customers.partners.models import HubSubscription

from .conftest import API, ApiClient, individual, tmf_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

# JSON's own escapes: half of a UTF-16 pair, the other half, a pair reversed, a null character.
HOSTILE = ["\ud800", "\udfff", "\udc00\ud800", "\x00"]


def _characteristic(name: str, value: str) -> dict:
    return individual(characteristic=[{"name": name, "value": value}])


def _create_bodies(text: str) -> dict[str, dict]:
    named = individual()
    named["engagedParty"]["givenName"] = f"Jane{text}"
    return {
        "externalReference": _characteristic("externalReference", f"REF-{text}"),
        "language": _characteristic("language", text),
        "status": individual(status=f"active{text}"),
        "paymentMethod[].id": individual(paymentMethod=[{"id": f"card{text}"}]),
        "engagedParty.givenName": named,
        "an unknown attribute": individual(**{f"x{text}": 1}),
        "a nested attribute name": individual(engagedParty={f"@type{text}": "Individual"}),
    }


@pytest.mark.parametrize("text", HOSTILE)
def test_unstorable_text_anywhere_in_a_new_customer_is_a_400(alpha_api, text, tmf):
    for where, body in _create_bodies(text).items():
        error = tmf_error(alpha_api.post("/customer", body), 400, tmf)

        assert error["code"] == "invalid", where
        assert "lone UTF-16 surrogate" in error["message"], where
    assert not Customer.objects.exists()


def test_the_refusal_names_where_the_text_was(alpha_api, tmf):
    body = individual(paymentMethod=[{"id": "card\ud800"}])

    error = tmf_error(alpha_api.post("/customer", body), 400, tmf)

    assert error["message"].startswith("paymentMethod[0].id holds a null character")


@pytest.mark.parametrize("text", HOSTILE)
def test_unstorable_text_in_a_patch_is_a_400_and_changes_nothing(
    alpha_api, alpha_customer, text, tmf
):
    for body in _create_bodies(text).values():
        body.pop("@type")
        response = alpha_api.patch(f"/customer/{alpha_customer.number}", body)

        tmf_error(response, 400, tmf)
    alpha_customer.refresh_from_db()
    assert alpha_customer.status == Customer.Status.LEAD


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("name", ["callback", "query", "secret"])
def test_unstorable_text_in_a_hub_is_a_400(alpha_api, name, text, tmf):
    body = {"callback": "https://partner.example/events", "secret": "s" * 32, "query": ""}
    body[name] += text

    tmf_error(alpha_api.post("/hub", body), 400, tmf)
    assert not HubSubscription.objects.exists()


def test_a_valid_surrogate_pair_is_ordinary_text(alpha_api):
    payload = individual()
    payload["engagedParty"]["givenName"] = "Jane \U0001f600"

    response = alpha_api.post("/customer", json.dumps(payload))

    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Jane \U0001f600 Doe"


@override_settings(
    DEBUG=False,
    SECURE_SSL_REDIRECT=True,
    CRM_HUB_ALLOW_PRIVATE_CALLBACKS=False,
    CRM_HUB_REQUIRE_HTTPS=True,
)
@pytest.mark.parametrize("text", ["\ud800", "\x00"])
def test_with_production_settings_unstorable_text_is_a_400_not_a_500(alpha, text, tmf):
    # Errors are answered by the handlers rather than raised, as under a real server.
    api = ApiClient(alpha[1], Client(raise_request_exception=False))
    customer = api.client.post(
        f"{API}/customer",
        json.dumps(_characteristic("externalReference", text)),
        content_type="application/json",
        headers=api.headers,
        secure=True,
    )
    hub = api.client.post(
        f"{API}/hub",
        json.dumps({"callback": f"https://partner.example/{text}"}),
        content_type="application/json",
        headers=api.headers,
        secure=True,
    )

    tmf_error(customer, 400, tmf)
    tmf_error(hub, 400, tmf)


@override_settings(CRM_API_MAX_BODY_BYTES=2048)
def test_a_body_over_the_api_limit_is_a_413_and_nothing_is_stored(alpha_api, tmf):
    payload = individual(name="x" * 5000)

    error = tmf_error(alpha_api.post("/customer", payload), 413, tmf)

    assert error["code"] == "payload_too_large"
    assert "larger than 2048 bytes" in error["message"]
    assert not Customer.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096, CRM_API_MAX_BODY_BYTES=64 * 1024)
def test_a_body_over_djangos_own_limit_is_a_413_too(alpha_api, alpha_customer, tmf):
    payload = individual(name="x" * 10_000)

    created = tmf_error(alpha_api.post("/customer", payload), 413, tmf)
    changed = tmf_error(
        alpha_api.patch(f"/customer/{alpha_customer.number}", {"statusReason": "x" * 10_000}),
        413,
        tmf,
    )
    hub = tmf_error(
        alpha_api.post("/hub", {"callback": "https://a.example/" + "x" * 9000}), 413, tmf
    )

    assert "larger than 4096 bytes" in created["message"]
    assert changed["code"] == hub["code"] == "payload_too_large"
