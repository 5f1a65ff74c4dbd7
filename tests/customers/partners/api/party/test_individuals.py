"""TMF632 individuals: every operation answers in the spec's shapes, with our conventions."""

import json

import pytest

from customers.models import ActionLog, ContactMedium, Party
from tests.customers.partners.api.conftest import tmf_error
from tests.factories import CustomerFactory

from .conftest import email, person, phone, valid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _create(api, tmf632, body=None):
    return valid(tmf632, api.post("/individual", body or person()), "Individual", 201)


def test_creating_an_individual_stores_the_party_without_a_customer(alpha, alpha_parties, tmf632):
    body = _create(
        alpha_parties,
        tmf632,
        person(
            "Jane",
            "Doe",
            title="Dr",
            birthDate="1980-04-01T00:00:00Z",
            individualIdentification=[
                {
                    "@type": "IndividualIdentification",
                    "identificationType": "nationalId",
                    "identificationId": "ab 123456 c",
                }
            ],
            contactMedium=[email("Jane@Example.org"), phone("+44 7400 123456")],
        ),
    )

    party = Party.objects.get(pk=body["id"])
    assert (party.partner, party.title, str(party.birth_date)) == (alpha[0], "Dr", "1980-04-01")
    assert party.national_id == "AB123456C"
    assert not hasattr(party, "customer") or party.customer is None
    assert body["name"] == "Jane Doe"
    assert body["birthDate"] == "1980-04-01T00:00:00Z"
    assert body["individualIdentification"][0]["identificationId"] == "AB123456C"
    assert {m["@type"] for m in body["contactMedium"]} == {
        "EmailContactMedium",
        "PhoneContactMedium",
    }
    assert body["href"].endswith(f"/tmf-api/partyManagement/v5/individual/{party.pk}")
    assert ActionLog.objects.filter(action="party.registered", customer=None).count() == 1


def test_a_plain_birth_date_is_accepted_as_its_day(alpha_parties, tmf632):
    body = _create(alpha_parties, tmf632, person(birthDate="1975-12-31"))

    assert body["birthDate"] == "1975-12-31T00:00:00Z"


def test_the_created_individual_answers_with_a_location(alpha_parties):
    response = alpha_parties.post("/individual", person())

    assert response["Location"] == response.json()["href"]


def test_retrieving_an_individual_validates_against_the_spec(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632, person(contactMedium=[email("j@example.org")]))

    body = valid(tmf632, alpha_parties.get(f"/individual/{created['id']}"), "Individual")

    assert body == created


def test_fields_returns_only_what_is_asked_and_the_identity(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632)

    body = valid(
        tmf632,
        alpha_parties.get(f"/individual/{created['id']}", fields="givenName,contactMedium"),
        "Individual",
    )

    assert set(body) == {"id", "href", "@type", "@baseType", "givenName", "contactMedium"}


def test_fields_with_an_unknown_attribute_is_a_400(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632)

    error = tmf_error(
        alpha_parties.get(f"/individual/{created['id']}", fields="gender"), 400, tmf632
    )

    assert "gender" in error["message"]


def test_a_list_pages_with_total_and_result_counts(alpha_parties, tmf632):
    for index in range(5):
        _create(alpha_parties, tmf632, person("Jane", f"Doe{index}"))

    response = alpha_parties.get("/individual", offset=1, limit=2)
    body = valid(tmf632, response, "Individual")

    assert (response["X-Total-Count"], response["X-Result-Count"]) == ("5", "2")
    assert [item["familyName"] for item in body] == ["Doe3", "Doe2"]


def test_a_list_of_individuals_holds_no_organisation(alpha_parties, tmf632):
    _create(alpha_parties, tmf632)
    alpha_parties.post("/organization", {"@type": "Organization", "name": "Acme"})

    body = valid(tmf632, alpha_parties.get("/individual"), "Individual")

    assert [item["@type"] for item in body] == ["Individual"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("givenName", "zoe"),
        ("familyName", "BRENNAN"),
        ("name", "Zoe Bre"),
        ("contactMedium.emailAddress", "ZOE@example.org"),
        ("contactMedium.phoneNumber", "+44 7400 123 457"),
        ("individualIdentification.identificationId", "zz 99 88 77 a"),
    ],
)
def test_each_filter_finds_its_individual_only(alpha_parties, tmf632, parameter, value):
    _create(alpha_parties, tmf632, person("Jane", "Doe", contactMedium=[email("jane@example.org")]))
    zoe = _create(
        alpha_parties,
        tmf632,
        person(
            "Zoe",
            "Brennan",
            contactMedium=[email("zoe@example.org"), phone("+447400123457")],
            individualIdentification=[{"identificationId": "ZZ998877A"}],
        ),
    )

    response = alpha_parties.get("/individual", **{parameter: value})
    body = valid(tmf632, response, "Individual")

    assert [item["id"] for item in body] == [zoe["id"]]
    assert response["X-Total-Count"] == "1"


def test_an_unknown_filter_is_a_400_naming_the_filters(alpha_parties, tmf632):
    error = tmf_error(alpha_parties.get("/individual", nickname="Jo"), 400, tmf632)

    assert "givenName" in error["message"]


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "application/json"])
def test_a_merge_patch_changes_only_what_it_names(alpha_parties, tmf632, content_type):
    created = _create(alpha_parties, tmf632, person(title="Ms", contactMedium=[email("a@x.org")]))

    body = valid(
        tmf632,
        alpha_parties.patch(
            f"/individual/{created['id']}",
            {"familyName": "Smith", "title": None},
            content_type=content_type,
        ),
        "Individual",
    )

    assert (body["givenName"], body["familyName"], body["name"]) == ("Jane", "Smith", "Jane Smith")
    assert "title" not in body
    assert body["contactMedium"] == created["contactMedium"]
    assert ActionLog.objects.filter(action="party.changed").count() == 1


def test_a_patch_replaces_the_contact_media_keeping_those_named_by_id(alpha_parties, tmf632):
    created = _create(
        alpha_parties, tmf632, person(contactMedium=[email("a@x.org"), email("b@x.org")])
    )
    kept = next(m for m in created["contactMedium"] if m["emailAddress"] == "a@x.org")

    body = valid(
        tmf632,
        alpha_parties.patch(
            f"/individual/{created['id']}",
            {"contactMedium": [{**kept, "preferred": True}, phone("+447400123458")]},
        ),
        "Individual",
    )

    assert sorted(m.get("emailAddress", m.get("phoneNumber")) for m in body["contactMedium"]) == [
        "+447400123458",
        "a@x.org",
    ]
    assert ContactMedium.objects.get(pk=kept["id"]).is_preferred


def test_a_patch_of_a_party_with_a_customer_goes_through_the_customer(alpha, alpha_parties, tmf632):
    customer = CustomerFactory(partner=alpha[0], given_name="Cara", family_name="Lynch")

    body = valid(
        tmf632,
        alpha_parties.patch(f"/individual/{customer.party_id}", {"familyName": "Lynch-Byrne"}),
        "Individual",
    )

    assert body["familyName"] == "Lynch-Byrne"
    related = body["relatedParty"][0]["partyOrPartyRole"]
    assert (related["@type"], related["id"]) == ("PartyRoleRef", customer.number)
    assert ActionLog.objects.filter(action="customer.updated", customer=customer).exists()


def test_a_patch_may_not_make_a_person_nameless(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632)

    error = tmf_error(
        alpha_parties.patch(f"/individual/{created['id']}", {"givenName": None, "familyName": ""}),
        400,
        tmf632,
    )

    assert "familyName" in error["message"]
    assert Party.objects.get(pk=created["id"]).family_name == "Doe"


def test_deleting_an_individual_removes_it_with_its_contact_media(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632, person(contactMedium=[email("gone@example.org")]))

    response = alpha_parties.delete(f"/individual/{created['id']}")

    assert response.status_code == 204
    assert not Party.objects.filter(pk=created["id"]).exists()
    assert not ContactMedium.objects.filter(value="gone@example.org").exists()
    tmf_error(alpha_parties.get(f"/individual/{created['id']}"), 404, tmf632)


def test_a_party_with_a_customer_role_cannot_be_deleted(alpha, alpha_parties, tmf632):
    customer = CustomerFactory(partner=alpha[0])

    error = tmf_error(alpha_parties.delete(f"/individual/{customer.party_id}"), 409, tmf632)

    assert customer.number in error["message"]
    assert Party.objects.filter(pk=customer.party_id).exists()


def test_an_organisation_is_not_found_as_an_individual(alpha_parties, tmf632):
    org = alpha_parties.post("/organization", {"@type": "Organization", "name": "Acme"}).json()

    tmf_error(alpha_parties.get(f"/individual/{org['id']}"), 404, tmf632)


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (person(gender="female"), "gender"),
        (person(middleName="Q"), "middleName"),
        (person(partyCharacteristic=[]), "partyCharacteristic"),
        (person(nickname="JD"), "nickname"),
        (person(id="42"), "id"),
        (
            person(individualIdentification=[{"identificationId": "X1", "issuingAuthority": "Y"}]),
            "issuingAuthority",
        ),
        (
            person(
                individualIdentification=[
                    {"identificationType": "passport", "identificationId": "X1"}
                ]
            ),
            "identificationType",
        ),
        (person(birthDate="yesterday"), "birthDate"),
        (person(givenName=5), "givenName"),
        (person(name="Someone Else"), "name"),
        ({"@type": "Organization", "givenName": "A", "familyName": "B"}, "@type"),
        ({"@type": "Individual", "givenName": "Jane"}, "familyName"),
    ],
)
def test_what_we_cannot_store_is_a_400_naming_the_attribute(alpha_parties, tmf632, body, named):
    error = tmf_error(alpha_parties.post("/individual", body), 400, tmf632)

    assert named in error["message"]
    assert not Party.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [
        '{"@type": "Individual", "givenName": "Ja\\u0000ne", "familyName": "Doe"}',
        '{"@type": "Individual", "givenName": "\\ud800", "familyName": "Doe"}',
        '["not", "an", "object"]',
        "{not json",
    ],
)
def test_hostile_bodies_are_refused_with_a_400(alpha_parties, tmf632, raw):
    tmf_error(alpha_parties.post("/individual", raw), 400, tmf632)

    assert not Party.objects.exists()


def test_a_null_character_in_a_query_is_a_400(alpha_parties, tmf632):
    tmf_error(alpha_parties.get("/individual", givenName="a\x00b"), 400, tmf632)


def test_an_id_that_is_not_ours_is_a_404(alpha_parties, tmf632):
    tmf_error(alpha_parties.get("/individual/abc"), 404, tmf632)
    tmf_error(alpha_parties.patch("/individual/9" * 30, json.dumps({})), 404, tmf632)


def test_the_openapi_document_describes_every_party_operation(client):
    document = client.get("/tmf-api/partyManagement/v5/openapi.json").json()

    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {
        f"{verb}{name}"
        for verb in ("list", "create", "retrieve", "patch", "delete")
        for name in ("Individual", "Organization")
    } <= operations
    assert "createHub" in operations


def test_a_registration_sent_again_with_its_idempotency_key_registers_once(alpha_parties, tmf632):
    headers = {**alpha_parties.headers, "Idempotency-Key": "9f1c2b7e-party"}

    def send():
        return alpha_parties.client.post(
            f"{alpha_parties.root}/individual",
            json.dumps(person("Ines", "Once")),
            content_type="application/json",
            headers=headers,
        )

    first, again = send(), send()

    assert first.status_code == again.status_code == 201
    tmf632.validate(again.json(), "Individual")
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Party.objects.filter(given_name="Ines", family_name="Once").count() == 1
