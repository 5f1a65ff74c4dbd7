"""TMF644 party privacy agreements: a partner reads and records its customers' consents."""

import uuid

import pytest

from customers.models import ActionLog, Consent
from customers.partners.services.partners import token_issue
from tests.customers.partners.api.conftest import (
    PRIVACY_API,
    READ_ONLY_SCOPES,
    ApiClient,
    tmf_error,
)
from tests.factories import CustomerFactory

from .conftest import agreement, answered

pytestmark = pytest.mark.django_db
LIST = "/partyPrivacyAgreement"


def test_a_recorded_consent_reads_as_an_approved_agreement(
    alpha_api, alpha_customer, tmf644, served
):
    consent = answered(alpha_customer, channel="sms", purpose="surveys")

    response = alpha_api.get(f"{LIST}/{consent.pk}")

    assert response.status_code == 200
    body = response.json()
    tmf644.validate(body, "PartyPrivacyAgreement")
    served.check(response, "/partyPrivacyAgreement/{agreement_id}", "get")
    assert body["status"] == "approved"
    assert body["name"] == "Satisfaction surveys by SMS"
    assert body["engagedParty"][0]["id"] == alpha_customer.number
    characteristic = body["partyPrivacyProfileCharacteristic"][0]
    assert characteristic["privacyUsagePurpose"] == "surveys"
    assert characteristic["characterisitc"]["value"] == "sms"
    assert body["agreementAuthorization"][0]["signatureRepresentation"] == "store"


def test_the_list_holds_the_partners_consents_newest_first_with_counts(
    alpha_api, alpha_customer, tmf644, served
):
    first = answered(alpha_customer, channel="email")
    second = answered(alpha_customer, channel="sms", granted=False)

    response = alpha_api.get(LIST)

    assert response.status_code == 200
    served.check(response, "/partyPrivacyAgreement", "get")
    body = response.json()
    for item in body:
        tmf644.validate(item, "PartyPrivacyAgreement")
    assert [item["id"] for item in body] == [str(second.pk), str(first.pk)]
    assert [item["status"] for item in body] == ["rejected", "approved"]
    assert response["X-Total-Count"] == "2" and response["X-Result-Count"] == "2"


def test_the_list_pages_with_offset_and_limit(alpha_api, alpha_customer):
    consents = [answered(alpha_customer, channel=channel) for channel in ("email", "sms", "post")]

    response = alpha_api.get(LIST, offset=1, limit=1)

    assert [item["id"] for item in response.json()] == [str(consents[1].pk)]
    assert response["X-Total-Count"] == "3" and response["X-Result-Count"] == "1"


def test_fields_keeps_only_the_attributes_asked_for(alpha_api, alpha_customer, served):
    consent = answered(alpha_customer)

    listed = alpha_api.get(LIST, fields="status")
    item = alpha_api.get(f"{LIST}/{consent.pk}", fields="status,engagedParty")

    served.check(listed, "/partyPrivacyAgreement", "get")
    assert set(listed.json()[0]) == {"id", "href", "@type", "status"}
    assert set(item.json()) == {"id", "href", "@type", "status", "engagedParty"}


def test_an_unknown_field_is_a_400(alpha_api, alpha_customer, tmf644):
    tmf_error(alpha_api.get(LIST, fields="status,mood"), 400, tmf644)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "rejected"}, ["sms"]),
        ({"status": "approved,rejected"}, ["sms", "email"]),
        ({"partyPrivacyProfileCharacteristic.privacyUsagePurpose": "marketing"}, ["email"]),
        ({"partyPrivacyProfileCharacteristic.characterisitc.value": "sms"}, ["sms"]),
        ({"agreementAuthorization.date.gte": "2000-01-01T00:00:00Z"}, ["sms", "email"]),
        ({"agreementAuthorization.date.lt": "2000-01-01T00:00:00Z"}, []),
    ],
)
def test_the_list_filters(alpha_api, alpha_customer, params, expected):
    answered(alpha_customer, channel="email", purpose="marketing")
    answered(alpha_customer, channel="sms", purpose="surveys", granted=False)

    response = alpha_api.get(LIST, **params)

    assert response.status_code == 200
    channels = [
        item["partyPrivacyProfileCharacteristic"][0]["characterisitc"]["value"]
        for item in response.json()
    ]
    assert channels == expected


def test_the_list_filters_by_customer(alpha, alpha_api, alpha_customer):
    other = CustomerFactory(partner=alpha[0])
    answered(alpha_customer)
    mine = answered(other)

    response = alpha_api.get(LIST, **{"engagedParty.id": other.number.lower()})

    assert [item["id"] for item in response.json()] == [str(mine.pk)]


@pytest.mark.parametrize(
    "params",
    [
        {"mood": "happy"},
        {"status": "maybe"},
        {"partyPrivacyProfileCharacteristic.privacyUsagePurpose": "ADMIN"},
        {"partyPrivacyProfileCharacteristic.characterisitc.value": "pigeon"},
        {"agreementAuthorization.date.gt": "next tuesday"},
        {"limit": "ten"},
        {"offset": "-1"},
    ],
)
def test_a_bad_query_parameter_is_a_400(alpha_api, alpha_customer, tmf644, served, params):
    response = alpha_api.get(LIST, **params)

    tmf_error(response, 400, tmf644)
    served.check(response, "/partyPrivacyAgreement", "get")


def test_a_partner_records_a_first_answer_through_the_consent_service(
    alpha, alpha_api, alpha_customer, tmf644, served
):
    response = alpha_api.post(LIST, agreement(alpha_customer.number, status="rejected"))

    assert response.status_code == 201, response.content
    served.check(response, "/partyPrivacyAgreement", "post")
    body = response.json()
    tmf644.validate(body, "PartyPrivacyAgreement")
    assert response["Location"] == body["href"]
    consent = Consent.objects.get(pk=body["id"])
    assert (consent.customer, consent.channel, consent.purpose) == (
        alpha_customer,
        "email",
        "marketing",
    )
    assert consent.granted is False and consent.source == Consent.Source.API
    evidence = ActionLog.objects.get(customer=alpha_customer, action="consent.withdrawn")
    assert evidence.partner == alpha[0]
    assert body["agreementAuthorization"][0]["signatureRepresentation"] == "api"


def test_a_second_first_answer_is_a_409_naming_the_agreement_to_patch(
    alpha_api, alpha_customer, tmf644, served
):
    consent = answered(alpha_customer)

    response = alpha_api.post(LIST, agreement(alpha_customer.number, status="rejected"))

    body = tmf_error(response, 409, tmf644)
    served.check(response, "/partyPrivacyAgreement", "post")
    assert str(consent.pk) in body["message"]
    consent.refresh_from_db()
    assert consent.granted is True


def test_the_same_create_sent_again_with_its_idempotency_key_is_answered_once(
    alpha_api, alpha_customer
):
    key = str(uuid.uuid4())
    alpha_api.headers["Idempotency-Key"] = key

    first = alpha_api.post(LIST, agreement(alpha_customer.number))
    again = alpha_api.post(LIST, agreement(alpha_customer.number))

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Consent.objects.filter(customer=alpha_customer).count() == 1


def test_the_same_idempotency_key_with_another_body_is_a_422(alpha_api, alpha_customer, tmf644):
    alpha_api.headers["Idempotency-Key"] = str(uuid.uuid4())
    alpha_api.post(LIST, agreement(alpha_customer.number))

    response = alpha_api.post(LIST, agreement(alpha_customer.number, channel="sms"))

    tmf_error(response, 422, tmf644)
    assert Consent.objects.filter(customer=alpha_customer).count() == 1


def test_a_patch_withdraws_and_keeps_both_answers_as_evidence(
    alpha_api, alpha_customer, tmf644, served
):
    consent = answered(alpha_customer)

    response = alpha_api.patch(f"{LIST}/{consent.pk}", {"status": "rejected"})

    assert response.status_code == 200, response.content
    served.check(response, "/partyPrivacyAgreement/{agreement_id}", "patch")
    tmf644.validate(response.json(), "PartyPrivacyAgreement")
    assert response.json()["status"] == "rejected"
    consent.refresh_from_db()
    assert consent.granted is False and consent.source == Consent.Source.API
    actions = ActionLog.objects.filter(customer=alpha_customer, action__startswith="consent.")
    assert sorted(actions.values_list("action", flat=True)) == [
        "consent.granted",
        "consent.withdrawn",
    ]


def test_a_patch_without_a_status_changes_nothing(alpha_api, alpha_customer):
    consent = answered(alpha_customer)

    response = alpha_api.patch(f"{LIST}/{consent.pk}", {"agreementType": "privacyConsent"})

    assert response.status_code == 200
    assert ActionLog.objects.filter(action__startswith="consent.").count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {"engagedParty": [{"@type": "PartyRoleRef", "id": "C-1"}]},
        {"partyPrivacyProfileCharacteristic": []},
        {"agreementAuthorization": []},
        {"status": "initialized"},
        {"status": None},
        {"description": "kept?"},
        {"agreementType": "commercial"},
    ],
)
def test_a_patch_of_what_cannot_change_is_a_400(alpha_api, alpha_customer, tmf644, served, body):
    consent = answered(alpha_customer)

    response = alpha_api.patch(f"{LIST}/{consent.pk}", body)

    tmf_error(response, 400, tmf644)
    served.check(response, "/partyPrivacyAgreement/{agreement_id}", "patch")
    consent.refresh_from_db()
    assert consent.granted is True


def test_an_agreement_is_never_deleted(alpha_api, alpha_customer, tmf644, served):
    consent = answered(alpha_customer)

    response = alpha_api.delete(f"{LIST}/{consent.pk}")

    tmf_error(response, 405, tmf644)
    served.check(response, "/partyPrivacyAgreement/{agreement_id}", "delete")
    assert Consent.objects.filter(pk=consent.pk).exists()


def test_a_read_only_token_reads_and_cannot_record(alpha, alpha_customer, tmf644):
    issued = token_issue(partner=alpha[0], name="reader", scopes=READ_ONLY_SCOPES, actor="test")
    reader = ApiClient(issued.secret, root=PRIVACY_API)
    consent = answered(alpha_customer)

    assert reader.get(f"{LIST}/{consent.pk}").status_code == 200
    tmf_error(reader.patch(f"{LIST}/{consent.pk}", {"status": "rejected"}), 403, tmf644)
    tmf_error(reader.post(LIST, agreement(alpha_customer.number, channel="sms")), 403, tmf644)


def test_without_a_token_it_is_a_401(alpha_customer, tmf644):
    tmf_error(ApiClient(root=PRIVACY_API).get(LIST), 401, tmf644)


def test_the_openapi_document_describes_the_privacy_api(client):
    document = client.get(f"{PRIVACY_API}/openapi.json").json()

    assert document["info"]["title"] == "Privacy Management (TMF644 v5)"
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert operations == {
        "listPartyPrivacyAgreement",
        "createPartyPrivacyAgreement",
        "retrievePartyPrivacyAgreement",
        "patchPartyPrivacyAgreement",
        "deletePartyPrivacyAgreement",
        "createHub",
        "listHub",
        "retrieveHub",
        "hubDelete",
        "rotateHubSecret",
    }
