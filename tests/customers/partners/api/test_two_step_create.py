"""The standard flow end to end, as a TMF client runs it: the person in TMF632, then the
customer in TMF629 naming it by id; each answer in its spec's shape, and each API's hub told
once, in its own events."""

import json

import pytest

from tests.customers.partners.api.conftest import PARTY_API, ApiClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _subscribe(api: ApiClient, receiver, schemas) -> None:
    response = api.post("/hub", {"callback": receiver.url})
    assert response.status_code == 201, response.content
    schemas.validate(response.json(), "Hub")


def test_a_party_registered_then_made_a_customer_tells_each_hub_once(
    alpha, alpha_api, receiver, tmf, tmf632, django_capture_on_commit_callbacks
):
    parties = ApiClient(alpha[1], root=PARTY_API)
    _subscribe(parties, receiver, tmf632)
    _subscribe(alpha_api, receiver, tmf)

    with django_capture_on_commit_callbacks(execute=True):
        registered = parties.post(
            "/individual",
            {
                "@type": "Individual",
                "givenName": "Tomas",
                "familyName": "Standard",
                "contactMedium": [
                    {"@type": "EmailContactMedium", "emailAddress": "tomas@example.org"}
                ],
            },
        )
    assert registered.status_code == 201, registered.content
    tmf632.validate(registered.json(), "Individual")
    party_id = registered.json()["id"]

    with django_capture_on_commit_callbacks(execute=True):
        created = alpha_api.post(
            "/customer",
            {
                "@type": "Customer",
                "name": "Tomas Standard",
                "engagedParty": {
                    "@type": "PartyRef",
                    "id": party_id,
                    "href": registered.json()["href"],
                    "@referredType": "Individual",
                },
            },
        )
    assert created.status_code == 201, created.content
    tmf.validate(created.json(), "Customer")
    assert created.json()["engagedParty"]["id"] == party_id
    assert created.json()["contactMedium"][0]["emailAddress"] == "tomas@example.org"

    events = [json.loads(receiver.take()[1]) for _ in range(2)]
    assert [event["eventType"] for event in events] == [
        "IndividualCreateEvent",
        "CustomerCreateEvent",
    ]
    tmf632.validate(events[0], "IndividualCreateEvent")
    tmf.validate(events[1], "CustomerCreateEvent")
    assert receiver.received.empty()  # the party's creation is not announced a second time

    retrieved = parties.get(f"/individual/{party_id}")
    tmf632.validate(retrieved.json(), "Individual")
    roles = [r["partyOrPartyRole"] for r in retrieved.json().get("relatedParty", [])]
    assert created.json()["id"] in [role["id"] for role in roles]
