"""The TMF644 hub: subscribe at /hub, and each consent answer reaches a real local HTTP receiver
as a signed TMF event that validates against the spec."""

import json

import pytest

from customers.partners.models import HubDelivery, HubSubscription

from .conftest import agreement, answered

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _subscribe(api, receiver, tmf644) -> dict:
    response = api.post("/hub", {"@type": "Hub", "callback": receiver.url})
    assert response.status_code == 201, response.content
    tmf644.validate(response.json(), "Hub")
    return response.json()


def test_a_hub_subscribes_to_privacy_events_only(alpha_api, receiver, tmf644):
    hub = _subscribe(alpha_api, receiver, tmf644)

    assert hub["href"].endswith(f"/tmf-api/privacyManagement/v5/hub/{hub['id']}")
    assert HubSubscription.objects.get(pk=hub["id"]).api == "privacyManagement"


def test_a_first_answer_then_a_withdrawal_reach_the_callback_as_create_and_status_change(
    alpha_api, alpha_customer, receiver, tmf644, django_capture_on_commit_callbacks
):
    _subscribe(alpha_api, receiver, tmf644)

    with django_capture_on_commit_callbacks(execute=True):
        created = alpha_api.post("/partyPrivacyAgreement", agreement(alpha_customer.number))
    assert created.status_code == 201, created.content
    with django_capture_on_commit_callbacks(execute=True):
        alpha_api.patch(f"/partyPrivacyAgreement/{created.json()['id']}", {"status": "rejected"})

    events = [json.loads(receiver.take()[1]) for _ in range(2)]
    assert [event["eventType"] for event in events] == [
        "PartyPrivacyAgreementCreateEvent",
        "PartyPrivacyAgreementStatusChangeEvent",
    ]
    for event in events:
        tmf644.validate(event, event["eventType"])
    assert events[1]["event"]["partyPrivacyAgreement"]["status"] == "rejected"


def test_the_same_answer_again_is_an_attribute_change_and_staff_answers_are_heard_too(
    alpha_api, alpha_customer, receiver, tmf644, django_capture_on_commit_callbacks
):
    answered(alpha_customer)
    _subscribe(alpha_api, receiver, tmf644)

    with django_capture_on_commit_callbacks(execute=True):
        answered(alpha_customer)

    event = json.loads(receiver.take()[1])
    assert event["eventType"] == "PartyPrivacyAgreementAttributeValueChangeEvent"
    assert event["title"].endswith(": agreementAuthorization")


def test_another_partners_customers_are_not_heard(
    beta_api, alpha_customer, receiver, tmf644, django_capture_on_commit_callbacks
):
    _subscribe(beta_api, receiver, tmf644)

    with django_capture_on_commit_callbacks(execute=True):
        answered(alpha_customer)

    assert receiver.events() == []
    assert not HubDelivery.objects.exists()
