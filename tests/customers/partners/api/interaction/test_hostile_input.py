"""Input that must not get through: every one is a 400 with a TMF error body, nothing recorded."""

import json

import pytest

from customers.models import Interaction
from tests.customers.partners.api.conftest import tmf_error

from .conftest import recorded, touch_point

pytestmark = pytest.mark.django_db


def _with(body: dict, path: tuple, value) -> dict:
    node = body
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return body


@pytest.mark.parametrize(
    "path, value",
    [
        (("description",), "Bad \x00 byte"),
        (("reason",), 5),
        (("direction",), ["inbound"]),
        (("description",), {"text": "nested"}),
        (("status",), True),
        (("relatedChannel",), {"channel": {"id": "phone"}}),
        (("relatedChannel", 0, "channel", "id"), None),
        (("relatedParty", 0, "partyOrPartyRole", "id"), 42),
        (("interactionDate",), {"startDateTime": "next tuesday"}),
        (("mood",), "grumpy"),
        (("relatedChannel", 0, "channel", "colour"), "blue"),
        (("@type",), "Customer"),
        (("description",), "x" * 4001),
    ],
)
def test_a_wrong_value_is_a_400_and_records_nothing(alpha_api, alpha_customer, tmf683, path, value):
    body = _with(touch_point(alpha_customer.number), path, value)

    tmf_error(alpha_api.post("/partyInteraction", body), 400, tmf683)
    assert not Interaction.objects.exists()


def test_a_lone_surrogate_is_a_400(alpha_api, alpha_customer, tmf683):
    raw = json.dumps(touch_point(alpha_customer.number)).replace(
        "Asked about roaming charges", "Asked \\ud800 about"
    )

    tmf_error(alpha_api.post("/partyInteraction", raw), 400, tmf683)
    assert not Interaction.objects.exists()


def test_a_surrogate_in_an_attribute_name_is_a_400(alpha_api, alpha_customer, tmf683):
    raw = json.dumps(touch_point(alpha_customer.number))[:-1] + ', "\\udfff": 1}'

    tmf_error(alpha_api.post("/partyInteraction", raw), 400, tmf683)


@pytest.mark.parametrize("raw", ["[]", "not json", '"text"', "{"])
def test_a_body_that_is_not_an_object_is_a_400(alpha_api, tmf683, raw):
    tmf_error(alpha_api.post("/partyInteraction", raw), 400, tmf683)


def test_a_null_character_in_a_query_or_the_path_is_a_400(alpha_api, alpha_customer, tmf683):
    interaction = recorded(alpha_customer)

    tmf_error(alpha_api.get("/partyInteraction", reason="complaint\x00"), 400, tmf683)
    tmf_error(alpha_api.get(f"/partyInteraction/{interaction.pk}%00"), 400, tmf683)


@pytest.mark.parametrize(
    "body",
    [
        {"description": "Bad \x00"},
        {"reason": 7},
        {"status": "closed"},
        {"relatedChannel": [{"channel": {"id": "pigeon"}}]},
        {"lastUpdate": "2026-01-01T00:00:00Z"},
    ],
)
def test_a_wrong_patch_is_a_400_and_changes_nothing(alpha_api, alpha_customer, tmf683, body):
    interaction = recorded(alpha_customer)

    tmf_error(alpha_api.patch(f"/partyInteraction/{interaction.pk}", body), 400, tmf683)
    interaction.refresh_from_db()
    assert (interaction.summary, interaction.kind, interaction.outcome) == (
        "Called about the bill",
        "billing",
        "open",
    )


def test_a_patch_as_plain_text_is_a_415(alpha_api, alpha_customer, tmf683):
    interaction = recorded(alpha_customer)

    response = alpha_api.patch(
        f"/partyInteraction/{interaction.pk}", "description=x", content_type="text/plain"
    )

    tmf_error(response, 415, tmf683)


def test_a_json_patch_document_is_a_415(alpha_api, alpha_customer, tmf683):
    interaction = recorded(alpha_customer)

    response = alpha_api.patch(
        f"/partyInteraction/{interaction.pk}",
        [{"op": "replace", "path": "/description", "value": "x"}],
        content_type="application/json-patch+json",
    )

    tmf_error(response, 415, tmf683)
