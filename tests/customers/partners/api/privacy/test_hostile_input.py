"""Input that must not get through: every one is a 400 with a TMF error body, nothing recorded."""

import json

import pytest

from customers.models import Consent
from tests.customers.partners.api.conftest import tmf_error

from .conftest import agreement

pytestmark = pytest.mark.django_db
LIST = "/partyPrivacyAgreement"


def _with(body: dict, path: tuple, value) -> dict:
    node = body
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return body


CHARACTERISTIC = ("partyPrivacyProfileCharacteristic", 0)


@pytest.mark.parametrize(
    "path, value",
    [
        (("status",), None),
        (("status",), True),
        (("status",), "inProgress"),
        (("name",), "Bad \x00 byte"),
        (("name",), "x" * 201),
        (("name",), 5),
        (("agreementType",), "commercial"),
        (("@type",), "Agreement"),
        (("mood",), "grumpy"),
        (("description",), "not kept"),
        (("agreementPeriod",), {"startDateTime": "2026-01-01T00:00:00Z"}),
        (("id",), "7"),
        (("engagedParty",), {"@type": "PartyRoleRef", "id": "C-1"}),
        (("engagedParty",), []),
        (("engagedParty", 0, "id"), None),
        (("engagedParty", 0, "id"), 42),
        (("engagedParty", 0, "id"), "C" * 21),
        (("engagedParty", 0, "@type"), "PartyRef"),
        ((*CHARACTERISTIC, "privacyUsagePurpose"), "ADMIN"),
        ((*CHARACTERISTIC, "privacyUsagePurpose"), ["marketing"]),
        ((*CHARACTERISTIC, "relatedParty"), []),
        ((*CHARACTERISTIC, "characterisitc", "value"), "pigeon"),
        ((*CHARACTERISTIC, "characterisitc", "value"), None),
        ((*CHARACTERISTIC, "characterisitc", "name"), "emailAddress"),
        ((*CHARACTERISTIC, "characterisitc", "valueType"), "x" * 501),
        ((*CHARACTERISTIC, "characterisitc", "colour"), "blue"),
        ((*CHARACTERISTIC, "characteristic"), {"value": "sms"}),
        (("partyPrivacyProfileCharacteristic",), [{}, {}]),
    ],
)
def test_a_wrong_value_is_a_400_and_records_nothing(alpha_api, alpha_customer, tmf644, path, value):
    body = _with(agreement(alpha_customer.number), path, value)

    tmf_error(alpha_api.post(LIST, body), 400, tmf644)
    assert not Consent.objects.exists()


@pytest.mark.parametrize("raw", ["[]", '"approved"', "{", "null"])
def test_a_body_that_is_not_an_object_is_a_400(alpha_api, alpha_customer, tmf644, raw):
    tmf_error(alpha_api.post(LIST, raw), 400, tmf644)


def test_a_lone_surrogate_is_a_400(alpha_api, alpha_customer, tmf644):
    raw = json.dumps(agreement(alpha_customer.number)).replace(
        "Marketing by e-mail", "Marketing \\ud800"
    )

    tmf_error(alpha_api.post(LIST, raw), 400, tmf644)
    assert not Consent.objects.exists()


def test_a_null_character_in_a_query_is_a_400(alpha_api, alpha_customer, tmf644):
    tmf_error(alpha_api.get(LIST, status="approved\x00"), 400, tmf644)


def test_the_corrected_spelling_of_characteristic_is_understood(alpha_api, alpha_customer):
    body = agreement(alpha_customer.number)
    answer = body["partyPrivacyProfileCharacteristic"][0]
    answer["characteristic"] = answer.pop("characterisitc")

    assert alpha_api.post(LIST, body).status_code == 201
