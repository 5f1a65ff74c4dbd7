"""TMF632 organisations: the same operations as individuals, with an organisation's names."""

import pytest

from customers.models import Party
from tests.customers.partners.api.conftest import tmf_error
from tests.factories import CustomerFactory

from .conftest import company, email, valid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _create(api, tmf632, body=None):
    return valid(tmf632, api.post("/organization", body or company()), "Organization", 201)


def test_creating_an_organisation_stores_its_legal_and_trading_names(alpha, alpha_parties, tmf632):
    body = _create(
        alpha_parties,
        tmf632,
        company(
            "Acme Widgets Ltd",
            tradingName="Acme",
            organizationIdentification=[
                {
                    "@type": "OrganizationIdentification",
                    "identificationType": "registrationNumber",
                    "identificationId": "ni123456",
                }
            ],
            contactMedium=[email("office@acme.example")],
        ),
    )

    party = Party.objects.get(pk=body["id"])
    assert (party.kind, party.legal_name, party.trading_name) == (
        "organization",
        "Acme Widgets Ltd",
        "Acme",
    )
    assert party.registration_number == "NI123456"
    assert body["name"] == "Acme Widgets Ltd"
    assert body["organizationIdentification"][0]["identificationId"] == "NI123456"


def test_retrieving_listing_and_fields_validate_against_the_spec(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632, company(tradingName="Acme"))
    _create(alpha_parties, tmf632, company("Brightside Bakery"))

    one = valid(tmf632, alpha_parties.get(f"/organization/{created['id']}"), "Organization")
    response = alpha_parties.get("/organization", fields="tradingName", name="acme")
    found = valid(tmf632, response, "Organization")

    assert one == created
    assert [set(item) for item in found] == [{"id", "href", "@type", "@baseType", "tradingName"}]
    assert (response["X-Total-Count"], response["X-Result-Count"]) == ("1", "1")


def test_an_organisation_is_found_by_its_email(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632, company(contactMedium=[email("hq@acme.example")]))
    _create(alpha_parties, tmf632, company("Other Ltd"))

    body = valid(
        tmf632,
        alpha_parties.get("/organization", **{"contactMedium.emailAddress": "hq@acme.example"}),
        "Organization",
    )

    assert [item["id"] for item in body] == [created["id"]]


def test_a_merge_patch_renames_an_organisation(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632, company(tradingName="Acme"))

    body = valid(
        tmf632,
        alpha_parties.patch(
            f"/organization/{created['id']}",
            {"name": "Acme Holdings Ltd", "tradingName": None},
            content_type="application/json",
        ),
        "Organization",
    )

    assert body["name"] == "Acme Holdings Ltd" and "tradingName" not in body


def test_an_organisation_needs_a_name(alpha_parties, tmf632):
    error = tmf_error(alpha_parties.post("/organization", {"@type": "Organization"}), 400, tmf632)

    assert "name" in error["message"]


@pytest.mark.parametrize(
    "attribute",
    ["isLegalEntity", "organizationType", "existsDuring", "nameType", "otherName", "status"],
)
def test_organisation_attributes_we_do_not_store_are_refused(alpha_parties, tmf632, attribute):
    error = tmf_error(alpha_parties.post("/organization", company(**{attribute: "x"})), 400, tmf632)

    assert attribute in error["message"]


def test_deleting_an_organisation_with_a_customer_role_is_refused(alpha, alpha_parties, tmf632):
    customer = CustomerFactory(partner=alpha[0], organisation=True)

    tmf_error(alpha_parties.delete(f"/organization/{customer.party_id}"), 409, tmf632)

    assert Party.objects.filter(pk=customer.party_id).exists()


def test_deleting_an_organisation_without_a_role_answers_204(alpha_parties, tmf632):
    created = _create(alpha_parties, tmf632)

    assert alpha_parties.delete(f"/organization/{created['id']}").status_code == 204
    assert not Party.objects.filter(pk=created["id"]).exists()
