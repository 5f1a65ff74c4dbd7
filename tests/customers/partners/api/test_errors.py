"""Whatever goes wrong, the answer is a TMF Error body with a status that says what."""

import json

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import RequestFactory

from customers.models import Customer
from customers.partners.api.errors import api_error_response, bad_request

from .conftest import API, individual, tmf_error

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def test_malformed_json_is_a_400(alpha_api, tmf):
    body = tmf_error(alpha_api.post("/customer", '{"engagedParty": '), 400, tmf)

    assert "JSON" in body["message"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("payload", ["[]", '"text"', "42", "null"])
def test_a_body_that_is_not_an_object_is_a_400(alpha_api, payload, tmf):
    tmf_error(alpha_api.post("/customer", payload), 400, tmf)


def test_an_unknown_attribute_is_a_400_that_names_it(alpha_api, tmf):
    body = tmf_error(alpha_api.post("/customer", individual(shoeSize=42)), 400, tmf)

    assert "shoeSize" in body["message"]


def test_an_unknown_nested_attribute_is_a_400_that_names_its_path(alpha_api, tmf):
    payload = individual()
    payload["engagedParty"]["nickname"] = "JD"

    body = tmf_error(alpha_api.post("/customer", payload), 400, tmf)

    assert "engagedParty.nickname" in body["message"]


def test_a_read_only_attribute_is_a_400(alpha_api, tmf):
    body = tmf_error(alpha_api.post("/customer", individual(id="C00000001")), 400, tmf)

    assert "set by the system" in body["message"]


@pytest.mark.parametrize(
    "change",
    [
        {"engagedParty": {"@type": "Individual", "givenName": 5}},
        {"engagedParty": {"@type": "Individual", "birthDate": "yesterday"}},
        {"contactMedium": {"@type": "EmailContactMedium"}},
        {"contactMedium": [{"@type": "EmailContactMedium", "preferred": "very"}]},
        {"status": 3},
        {"characteristic": [{"name": "segment", "value": 7}]},
        {"characteristic": [{"name": "churnRisk", "value": "0"}]},
        {"@type": "Supplier"},
    ],
)
def test_wrong_types_are_a_400(alpha_api, change, tmf):
    payload = individual()
    payload.update(change)

    tmf_error(alpha_api.post("/customer", payload), 400, tmf)
    assert not Customer.objects.exists()


def test_a_missing_engaged_party_is_a_400(alpha_api, tmf):
    body = tmf_error(alpha_api.post("/customer", {"@type": "Customer"}), 400, tmf)

    assert "engagedParty" in body["message"]


def test_an_invalid_e_mail_address_is_a_400_naming_it(alpha_api, tmf):
    payload = individual(contactMedium=[{"@type": "EmailContactMedium", "emailAddress": "nope"}])

    tmf_error(alpha_api.post("/customer", payload), 400, tmf)


def test_an_unsupported_media_type_is_a_415(alpha_api, tmf):
    tmf_error(alpha_api.post("/customer", "name=x", content_type="text/plain"), 415, tmf)


def test_a_method_the_resource_lacks_is_a_405(alpha_api, alpha_customer, tmf):
    response = alpha_api.client.put(
        f"{API}/customer/{alpha_customer.number}", "{}", headers=alpha_api.headers
    )

    tmf_error(response, 405, tmf)


def test_an_unknown_path_under_the_api_is_a_tmf_404(alpha_api, tmf):
    tmf_error(alpha_api.get("/customers-and-more"), 404, tmf)


def test_an_unknown_hub_is_a_404(alpha_api, tmf):
    tmf_error(alpha_api.get("/hub/99999999999999999999"), 404, tmf)
    tmf_error(alpha_api.get("/hub/abc"), 404, tmf)


@pytest.mark.parametrize(
    "change",
    [
        {"contactMedium": [None]},
        {"paymentMethod": [None]},
        {"paymentMethod": [{}]},
        {"characteristic": [None]},
        {"characteristic": [{"value": "x"}]},
        {"@type": []},
        {"engagedParty": {"@type": {"nested": True}}},
        {
            "contactMedium": [
                {
                    "@type": "GeographicAddressContactMedium",
                    "street1": "1 A St",
                    "stateOrProvince": "Kent",
                }
            ]
        },
    ],
)
def test_odd_values_inside_lists_and_types_are_a_400_on_create_and_patch(
    alpha_api, alpha_customer, change, tmf
):
    tmf_error(alpha_api.post("/customer", {**individual(), **change}), 400, tmf)
    tmf_error(alpha_api.patch(f"/customer/{alpha_customer.number}", change), 400, tmf)


def test_json_nested_too_deeply_is_a_400(alpha_api, tmf):
    tmf_error(alpha_api.post("/customer", "[" * 5000 + "]" * 5000), 400, tmf)


@pytest.mark.parametrize(
    "path, params",
    [
        ("/customer/C0\x00001", {}),
        ("/customer", {"externalReference": "ab\x00c"}),
        ("/customer", {"contactMedium.emailAddress": "a\x00b@example.com"}),
        ("/hub/1\x00", {}),
    ],
)
def test_null_characters_in_paths_and_parameters_are_a_400(alpha_api, path, params, tmf):
    tmf_error(alpha_api.get(path, **params), 400, tmf)


def test_odd_ids_are_not_found(alpha_api, tmf):
    tmf_error(alpha_api.get("/hub/²"), 404, tmf)
    tmf_error(alpha_api.get("/customer/C 01"), 404, tmf)


def test_a_persons_name_is_given_and_family_name_not_an_engaged_party_name(alpha_api, tmf):
    payload = individual()
    payload["engagedParty"]["name"] = "Jane Doe"

    body = tmf_error(alpha_api.post("/customer", payload), 400, tmf)

    assert "givenName" in body["message"]


def test_a_hub_callback_longer_than_500_characters_is_a_400(alpha_api, tmf):
    long_url = "https://partner.example/" + "x" * 500

    tmf_error(alpha_api.post("/hub", {"callback": long_url}), 400, tmf)


def test_service_errors_name_the_tmf_attribute(alpha_api, tmf):
    payload = individual(
        contactMedium=[{"@type": "GeographicAddressContactMedium", "street1": "1 A St"}]
    )

    body = tmf_error(alpha_api.post("/customer", payload), 400, tmf)

    assert "contactMedium.city" in body["message"]


def test_a_contact_medium_id_that_is_not_ours_is_a_400(alpha_api, alpha_customer, tmf):
    medium = {"@type": "EmailContactMedium", "emailAddress": "a@b.example", "id": "²"}

    response = alpha_api.patch(f"/customer/{alpha_customer.number}", {"contactMedium": [medium]})

    tmf_error(response, 400, tmf)


def test_an_error_message_echoing_a_lone_surrogate_is_still_encoded(tmf):
    response = api_error_response(400, "invalid", "status: 'active\ud800' is not a status.")

    body = json.loads(response.content)

    tmf.validate(body, "Error")
    assert body["message"] == "status: 'active\\ud800' is not a status."


def test_a_body_django_finds_too_large_outside_the_views_is_a_tmf_413(tmf):
    request = RequestFactory().post(f"{API}/customer", data="{}", content_type="application/json")

    response = bad_request(request, RequestDataTooBig("too big"))

    assert response.status_code == 413
    body = json.loads(response.content)
    tmf.validate(body, "Error")
    assert body["code"] == "payload_too_large"


def test_a_patch_without_a_body_is_a_400_not_an_empty_change(alpha_customer, alpha_api, tmf):
    response = alpha_api.client.patch(
        f"/tmf-api/customerManagement/v5/customer/{alpha_customer.number}",
        b"",
        content_type="application/merge-patch+json",
        headers=alpha_api.headers,
    )

    body = tmf_error(response, 400, tmf)
    assert "merge patch" in body["message"]


def test_a_query_string_over_4_kb_is_a_tmf_414(alpha_api, tmf):
    body = tmf_error(alpha_api.get("/customer", name="x" * 5000), 414, tmf)

    assert "4096" in body["message"]
