"""The TMF632 hub: a partner subscribes at /hub and receives its parties' events, in the
spec's shapes, at a real local HTTP receiver."""

import json

import pytest

from customers.partners.models import HubSubscription
from tests.customers.partners.api.conftest import API, ApiClient, individual
from tests.factories import CustomerFactory

from .conftest import company, email, person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _subscribe(api, receiver, tmf632, **extra):
    response = api.post("/hub", {"callback": receiver.url, **extra})
    assert response.status_code == 201, response.content
    tmf632.validate(response.json(), "Hub")
    assert "/tmf-api/partyManagement/v5/hub/" in response.json()["href"]
    return response.json()["id"]


def _events(receiver, count):
    return [json.loads(receiver.take()[1]) for _ in range(count)]


def test_a_registered_individual_reaches_the_callback_as_an_individual_create_event(
    alpha_parties, receiver, tmf632, django_capture_on_commit_callbacks
):
    _subscribe(alpha_parties, receiver, tmf632)

    with django_capture_on_commit_callbacks(execute=True):
        party_id = alpha_parties.post("/individual", person()).json()["id"]

    (event,) = _events(receiver, 1)
    tmf632.validate(event, "IndividualCreateEvent")
    assert event["eventType"] == "IndividualCreateEvent"
    assert event["event"]["individual"]["id"] == party_id
    assert HubSubscription.objects.get().api == "partyManagement"


def test_changes_and_the_delete_of_an_organisation_are_announced(
    alpha_parties, receiver, tmf632, django_capture_on_commit_callbacks
):
    _subscribe(alpha_parties, receiver, tmf632)

    with django_capture_on_commit_callbacks(execute=True):
        party_id = alpha_parties.post("/organization", company()).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        alpha_parties.patch(
            f"/organization/{party_id}", {"contactMedium": [email("hq@acme.example")]}
        )
    with django_capture_on_commit_callbacks(execute=True):
        alpha_parties.delete(f"/organization/{party_id}")

    events = _events(receiver, 3)
    assert [e["eventType"] for e in events] == [
        "OrganizationCreateEvent",
        "OrganizationAttributeValueChangeEvent",
        "OrganizationDeleteEvent",
    ]
    for event in events:
        tmf632.validate(event, event["@type"])
        assert event["event"]["organization"]["id"] == party_id
    assert events[1]["title"].endswith(": contactMedium")


def test_a_customer_created_through_tmf629_is_an_individual_created_through_tmf632(
    alpha, alpha_parties, receiver, tmf632, django_capture_on_commit_callbacks
):
    _subscribe(alpha_parties, receiver, tmf632, query="eventType=IndividualCreateEvent")

    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(alpha[1], root=API).post("/customer", individual("Cara", "Lynch"))

    (event,) = _events(receiver, 1)
    tmf632.validate(event, "IndividualCreateEvent")
    related = event["event"]["individual"]["relatedParty"][0]["partyOrPartyRole"]
    assert related["id"] == response.json()["id"]


def test_a_customers_party_change_is_an_attribute_value_change_event(
    alpha, alpha_parties, receiver, tmf632, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(partner=alpha[0], given_name="Cara", family_name="Lynch")
    _subscribe(alpha_parties, receiver, tmf632)

    with django_capture_on_commit_callbacks(execute=True):
        alpha_parties.patch(f"/individual/{customer.party_id}", {"familyName": "Byrne"})

    (event,) = _events(receiver, 1)
    tmf632.validate(event, "IndividualAttributeValueChangeEvent")
    assert event["title"].endswith(": familyName, name")
    assert event["event"]["individual"]["familyName"] == "Byrne"


def test_another_partners_party_events_never_reach_ones_hub(
    alpha_parties, beta_parties, receiver, tmf632, django_capture_on_commit_callbacks
):
    _subscribe(alpha_parties, receiver, tmf632)

    with django_capture_on_commit_callbacks(execute=True):
        beta_parties.post("/individual", person())

    assert receiver.received.empty()
