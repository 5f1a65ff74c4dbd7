"""TMF635 usage: partners record and read the monthly usage of their own customers only."""

import json

import pytest
from django.test import Client

from customers.models import UsageSummary
from tests.customers.partners.api.conftest import tmf_error
from tests.customers.partners.api.usage.conftest import month_of_usage


def _characteristics(body: dict) -> dict:
    return {c["name"]: c["value"] for c in body["usageCharacteristic"]}


def test_a_partner_records_a_month_of_its_customers_usage(alpha_api, alpha_customer, product):
    response = alpha_api.post("/usage", month_of_usage(alpha_customer.number))

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["href"]
    assert body["@type"] == "Usage"
    assert body["usageDate"] == "2026-03-01T00:00:00Z"
    assert body["productOffering"]["id"] == "MOB-API"
    assert body["relatedParty"][0]["partyOrPartyRole"]["id"] == alpha_customer.number
    assert _characteristics(body)["voiceMinutesDay"] == 120.5
    assert _characteristics(body)["dataMb"] == 0
    summary = UsageSummary.objects.get()
    assert (summary.customer, summary.service_calls) == (alpha_customer, 2)


def test_sending_the_same_month_again_replaces_it(alpha_api, alpha_customer, product):
    first = alpha_api.post("/usage", month_of_usage(alpha_customer.number)).json()
    body = month_of_usage(alpha_customer.number)
    body["usageCharacteristic"] = [
        {"@type": "IntegerCharacteristic", "name": "smsCount", "value": 9}
    ]
    again = alpha_api.post("/usage", body).json()

    assert again["id"] == first["id"]
    assert _characteristics(again)["smsCount"] == 9
    assert _characteristics(again)["voiceMinutesDay"] == 0
    assert UsageSummary.objects.count() == 1


def test_a_partner_lists_only_its_own_customers_usage(
    alpha_api, beta_api, alpha_customer, beta_customer, product
):
    alpha_api.post("/usage", month_of_usage(alpha_customer.number))
    beta_api.post("/usage", month_of_usage(beta_customer.number))

    listed = alpha_api.get("/usage")

    assert listed.status_code == 200
    assert listed["X-Total-Count"] == "1"
    [only] = listed.json()
    assert only["relatedParty"][0]["partyOrPartyRole"]["id"] == alpha_customer.number
    assert alpha_api.get("/usage", **{"relatedParty.id": beta_customer.number}).json() == []


def test_the_list_is_filtered_by_customer_and_period(alpha_api, alpha_customer, product):
    for month in ("2026-01-01", "2026-02-01", "2026-03-01"):
        alpha_api.post("/usage", month_of_usage(alpha_customer.number, month))

    found = alpha_api.get(
        "/usage",
        **{
            "relatedParty.id": alpha_customer.number,
            "usageDate.gte": "2026-02-01T00:00:00Z",
            "usageDate.lt": "2026-03-01T00:00:00Z",
        },
    ).json()

    assert [u["usageDate"] for u in found] == ["2026-02-01T00:00:00Z"]
    later = alpha_api.get("/usage", **{"usageDate.gt": "2026-01-15T10:00:00Z"}).json()
    assert [u["usageDate"][:7] for u in later] == ["2026-03", "2026-02"]


def test_a_partner_reads_one_month_of_its_own_usage(alpha_api, alpha_customer, product):
    created = alpha_api.post("/usage", month_of_usage(alpha_customer.number)).json()

    found = alpha_api.get(f"/usage/{created['id']}", fields="usageDate")

    assert found.status_code == 200
    assert found.json() == {
        "id": created["id"],
        "href": created["href"],
        "@type": "Usage",
        "usageDate": "2026-03-01T00:00:00Z",
    }


def test_another_partners_customer_is_unknown_to_record_or_read(
    alpha_api, beta_api, alpha_customer, beta_customer, product, tmf
):
    created = beta_api.post("/usage", month_of_usage(beta_customer.number)).json()

    tmf_error(alpha_api.get(f"/usage/{created['id']}"), 404, tmf)
    tmf_error(alpha_api.post("/usage", month_of_usage(beta_customer.number)), 404, tmf)
    assert UsageSummary.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"usageDate": "2026-03-15T00:00:00Z"}, "usageDate"),
        ({"usageDate": "2026-03-01T08:00:00Z"}, "usageDate"),
        ({"usageDate": "2999-01-01T00:00:00Z"}, "usageDate"),
        ({"usageDate": "soon"}, "usageDate"),
        ({"productOffering": {"@type": "ProductOfferingRef", "id": "NOPE"}}, "productOffering"),
        (
            {"usageCharacteristic": [{"@type": "FloatCharacteristic", "name": "x", "value": 1}]},
            "usageCharacteristic",
        ),
        (
            {
                "usageCharacteristic": [
                    {"@type": "FloatCharacteristic", "name": "dataMb", "value": -5}
                ]
            },
            "dataMb",
        ),
        (
            {
                "usageCharacteristic": [
                    {"@type": "IntegerCharacteristic", "name": "smsCount", "value": 1.5}
                ]
            },
            "smsCount",
        ),
        (
            {
                "usageCharacteristic": [
                    {"@type": "IntegerCharacteristic", "name": "smsCount", "value": True}
                ]
            },
            "usageCharacteristic",
        ),
        ({"ratedProductUsage": []}, "ratedProductUsage"),
        ({"id": "42"}, "id"),
        ({"usageType": "cdr"}, "usageType"),
        ({"relatedParty": []}, "relatedParty"),
    ],
)
def test_hostile_or_wrong_input_is_a_tmf_400_naming_what_is_wrong(
    alpha_api, alpha_customer, product, tmf, change, named
):
    body = month_of_usage(alpha_customer.number) | change

    error = tmf_error(alpha_api.post("/usage", body), 400, tmf)

    assert named in error["message"]
    assert not UsageSummary.objects.exists()


@pytest.mark.parametrize(
    "raw", ["[]", "null", '"usage"', "{", json.dumps({"@type": "Usage"}), "\x00"]
)
def test_a_body_that_is_no_usage_object_is_a_tmf_400(alpha_api, alpha_customer, product, tmf, raw):
    tmf_error(alpha_api.post("/usage", raw), 400, tmf)


@pytest.mark.parametrize(
    "params",
    [{"usageDate.gt": "yesterday"}, {"colour": "red"}, {"limit": "-1"}, {"fields": "nothing"}],
)
def test_a_bad_list_query_is_a_tmf_400(alpha_api, tmf, params):
    tmf_error(alpha_api.get("/usage", **params), 400, tmf)


def test_changing_or_deleting_usage_is_not_allowed(alpha_api, alpha_customer, product, tmf):
    created = alpha_api.post("/usage", month_of_usage(alpha_customer.number)).json()

    tmf_error(alpha_api.delete(f"/usage/{created['id']}"), 405, tmf)


def test_the_usage_api_serves_its_own_document():
    document = Client().get("/tmf-api/usageManagement/v5/openapi.json").json()

    assert document["info"]["title"] == "Usage Management (TMF635 v5)"
    found = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert found == {"listUsage", "createUsage", "retrieveUsage"}
