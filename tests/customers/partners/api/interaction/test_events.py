"""The TMF683 hub: subscribe at /hub, and each change to an interaction reaches a real local
HTTP receiver as a signed TMF event that validates against the spec."""

import json

import pytest

from customers.partners.models import HubDelivery, HubSubscription
from tests.customers.partners.api.conftest import API, ApiClient, tmf_error

from .conftest import recorded, touch_point

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _subscribe(api, receiver, tmf683, **extra) -> dict:
    response = api.post("/hub", {"@type": "Hub", "callback": receiver.url, **extra})
    assert response.status_code == 201, response.content
    tmf683.validate(response.json(), "Hub")
    return response.json()


def _status_change_valid(event: dict, tmf683) -> None:
    # The spec names this event's schema PartyInteractionStatusChange, while its examples and
    # listener send @type PartyInteractionStatusChangeEvent: check the envelope against the
    # schema, and the interaction inside it as every other resource.
    tmf683._validate_as(event, "PartyInteractionStatusChange")
    tmf683.validate(event["event"]["partyInteraction"], "PartyInteraction")


def test_a_hub_subscribes_to_interaction_events_only(alpha_api, receiver, tmf683):
    hub = _subscribe(alpha_api, receiver, tmf683)

    assert hub["href"].endswith(f"/tmf-api/partyInteraction/v5/hub/{hub['id']}")
    assert HubSubscription.objects.get(pk=hub["id"]).api == "partyInteraction"


def test_a_recorded_interaction_reaches_the_callback_as_a_create_event(
    alpha_api, alpha_customer, receiver, tmf683, tasks_finished, django_capture_on_commit_callbacks
):
    _subscribe(alpha_api, receiver, tmf683)

    with django_capture_on_commit_callbacks(execute=True):
        created = alpha_api.post("/partyInteraction", touch_point(alpha_customer.number)).json()

    headers, body = receiver.take()
    event = json.loads(body)
    tmf683.validate(event, "PartyInteractionCreateEvent")
    assert event["eventType"] == "PartyInteractionCreateEvent"
    assert event["event"]["partyInteraction"]["id"] == created["id"]
    assert event["event"]["partyInteraction"]["relatedParty"][0]["partyOrPartyRole"]["id"] == (
        alpha_customer.number
    )
    assert "X-Crm-Signature" in headers
    assert "customers.partners.tasks.hub_delivery_send" in [name for name, *_ in tasks_finished]
    assert HubDelivery.objects.get().status == "delivered"


def test_changes_and_completion_are_announced_as_attribute_and_status_events(
    alpha_api, alpha_customer, receiver, tmf683, django_capture_on_commit_callbacks
):
    interaction = recorded(alpha_customer)
    _subscribe(alpha_api, receiver, tmf683)

    with django_capture_on_commit_callbacks(execute=True):
        alpha_api.patch(
            f"/partyInteraction/{interaction.pk}",
            {"description": "Disputes the bill", "status": "inProgress"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        alpha_api.patch(f"/partyInteraction/{interaction.pk}", {"status": "completed"})

    events = [json.loads(receiver.take()[1]) for _ in range(3)]
    assert [event["eventType"] for event in events] == [
        "PartyInteractionAttributeValueChangeEvent",
        "PartyInteractionStatusChangeEvent",
        "PartyInteractionStatusChangeEvent",
    ]
    tmf683.validate(events[0], "PartyInteractionAttributeValueChangeEvent")
    assert events[0]["title"].endswith(": description")
    for event in events[1:]:
        _status_change_valid(event, tmf683)
    assert events[-1]["event"]["partyInteraction"]["status"] == "completed"


def test_a_deleted_customers_interactions_are_announced_as_deleted(
    alpha, alpha_api, alpha_customer, receiver, tmf683, django_capture_on_commit_callbacks
):
    interaction = recorded(alpha_customer)
    _subscribe(alpha_api, receiver, tmf683, query="eventType=PartyInteractionDeleteEvent")

    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(alpha[1], root=API).delete(f"/customer/{alpha_customer.number}")
    assert response.status_code == 204

    event = json.loads(receiver.take()[1])
    tmf683.validate(event, "PartyInteractionDeleteEvent")
    assert event["event"]["partyInteraction"]["id"] == str(interaction.pk)


def test_another_partners_interactions_never_reach_a_hub(
    beta_api, alpha_customer, receiver, tmf683, django_capture_on_commit_callbacks
):
    _subscribe(beta_api, receiver, tmf683)

    with django_capture_on_commit_callbacks(execute=True):
        recorded(alpha_customer)

    assert receiver.received.empty()
    assert not HubDelivery.objects.exists()


def test_an_unknown_event_type_in_the_query_is_refused(alpha_api, receiver, tmf683):
    response = alpha_api.post(
        "/hub", {"callback": receiver.url, "query": "eventType=CustomerCreateEvent"}
    )

    tmf_error(response, 400, tmf683)


def test_a_customer_hub_does_not_hear_interactions(
    alpha, alpha_customer, receiver, django_capture_on_commit_callbacks
):
    ApiClient(alpha[1], root=API).post("/hub", {"callback": receiver.url})

    with django_capture_on_commit_callbacks(execute=True):
        recorded(alpha_customer)

    assert receiver.received.empty()
