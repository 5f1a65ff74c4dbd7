"""The standard TMF629 create: a customer role for a party registered before (TMF632), with
``engagedParty`` as a ``PartyRef`` by id and the role's own ``name``."""

from customers import identity_rules
from customers.identity.models import DuplicateCandidate
from customers.models import ContactMedium, Customer, Party
from customers.services import ContactMediumInput
from customers.services.customers import PartyInput, party_from_input
from tests.customers.partners.api.conftest import individual, tmf_error
from tests.factories import CustomerFactory


def registered_party(partner, given="Petra", family="Standard", **fields) -> Party:
    """A party as TMF632 leaves it: registered by ``partner``, with no customer role yet."""
    party = party_from_input(PartyInput(given_name=given, family_name=family, **fields))
    party.partner = partner
    party.save()
    identity_rules.identity_keys_refresh(party_ids=[party.pk])
    return party


def standard(party: Party, name: str = "Petra Standard", **extra) -> dict:
    return {
        "@type": "Customer",
        "name": name,
        "engagedParty": {"@type": "PartyRef", "id": str(party.pk), "@referredType": "Individual"},
        **extra,
    }


def test_a_customer_is_created_for_a_registered_party_by_its_id(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])

    response = alpha_api.post("/customer", standard(party))

    assert response.status_code == 201, response.content
    body = response.json()
    tmf.validate(body, "Customer")
    assert body["engagedParty"]["id"] == str(party.pk)
    assert body["name"] == "Petra Standard"
    customer = Customer.objects.get(number=body["id"])
    assert customer.party_id == party.pk and customer.partner_id == alpha[0].pk


def test_the_role_keeps_its_own_name_beside_the_partys(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])

    body = alpha_api.post("/customer", standard(party, name="Petra, home office")).json()

    assert body["name"] == "Petra, home office"
    assert Customer.objects.get(number=body["id"]).name == "Petra, home office"
    assert Party.objects.get(pk=party.pk).display_name == "Petra Standard"


def test_a_party_reference_needs_the_customers_name(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])
    payload = standard(party)
    del payload["name"]

    body = tmf_error(alpha_api.post("/customer", payload), 400, tmf)

    assert "name" in body["message"]
    assert not Customer.objects.filter(party=party).exists()


def test_the_customer_type_is_required_as_the_spec_requires_it(alpha_api, tmf):
    payload = individual()
    del payload["@type"]

    body = tmf_error(alpha_api.post("/customer", payload), 400, tmf)

    assert "@type" in body["message"]


def test_another_partners_party_is_as_unknown_as_one_that_never_was(alpha, beta, alpha_api, tmf):
    theirs = registered_party(beta[0])

    unknown = tmf_error(alpha_api.post("/customer", standard(theirs)), 400, tmf)
    missing = tmf_error(
        alpha_api.post(
            "/customer", {**standard(theirs), "engagedParty": {"@type": "PartyRef", "id": "999999"}}
        ),
        400,
        tmf,
    )

    assert unknown["message"].replace(str(theirs.pk), "N") == missing["message"].replace(
        "999999", "N"
    )
    assert not Customer.objects.filter(party=theirs).exists()


def test_the_party_of_ones_own_customer_may_not_take_a_second_customer_role(
    alpha_customer, alpha_api, tmf
):
    payload = standard(alpha_customer.party)

    body = tmf_error(alpha_api.post("/customer", payload), 409, tmf)

    assert alpha_customer.number in body["message"]
    assert Customer.objects.filter(party=alpha_customer.party).count() == 1


def test_a_reference_of_the_wrong_kind_of_party_is_refused(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])
    payload = standard(party)
    payload["engagedParty"]["@referredType"] = "Organization"

    tmf_error(alpha_api.post("/customer", payload), 400, tmf)


def test_a_certain_duplicate_of_an_existing_customer_is_refused(alpha, alpha_api, tmf):
    existing = CustomerFactory(
        partner=alpha[0], given_name="Ida", family_name="Twin", national_id="AB123456C"
    )
    twin = registered_party(alpha[0], given="Ida", family="Twin", national_id="AB123456C")

    body = tmf_error(alpha_api.post("/customer", standard(twin, name="Ida Twin")), 409, tmf)

    assert existing.number in body["message"]
    assert not Customer.objects.filter(party=twin).exists()


def test_a_probable_duplicate_is_created_and_queued_for_review(alpha, alpha_api):
    existing = CustomerFactory(
        partner=alpha[0],
        given_name="Maria",
        family_name="Gonzalez",
        contact_media=[ContactMediumInput(kind="email", value="maria.g@example.org")],
    )
    namesake = registered_party(alpha[0], given="Maria", family="Gonzales")
    ContactMedium.objects.create(party=namesake, kind="email", value="maria.g@example.org")
    identity_rules.identity_keys_refresh(party_ids=[namesake.pk])

    response = alpha_api.post("/customer", standard(namesake, name="Maria Gonzales"))

    assert response.status_code == 201, response.content
    created = Customer.objects.get(number=response.json()["id"])
    pair = DuplicateCandidate.objects.get()
    assert {pair.customer_low_id, pair.customer_high_id} == {existing.pk, created.pk}
    assert (pair.status, pair.source) == ("open", "api")


def test_a_patch_of_name_renames_the_role_and_leaves_the_person_alone(
    alpha_customer, alpha_api, tmf
):
    response = alpha_api.patch(f"/customer/{alpha_customer.number}", {"name": "Anna (work)"})

    assert response.status_code == 200, response.content
    tmf.validate(response.json(), "Customer")
    assert response.json()["name"] == "Anna (work)"
    assert Party.objects.get(pk=alpha_customer.party_id).display_name == "Anna Alphason"


def test_a_patch_of_name_back_to_the_partys_follows_the_party_again(alpha_customer, alpha_api):
    alpha_api.patch(f"/customer/{alpha_customer.number}", {"name": "Anna (work)"})

    alpha_api.patch(f"/customer/{alpha_customer.number}", {"name": "Anna Alphason"})

    assert Customer.objects.get(pk=alpha_customer.pk).name == ""


def test_a_role_cannot_move_to_another_party(alpha, alpha_customer, alpha_api, tmf):
    other = registered_party(alpha[0])

    tmf_error(
        alpha_api.patch(
            f"/customer/{alpha_customer.number}",
            {"engagedParty": {"@type": "PartyRef", "id": str(other.pk)}},
        ),
        400,
        tmf,
    )

    assert Customer.objects.get(pk=alpha_customer.pk).party_id == alpha_customer.party_id


def test_description_and_role_are_kept_as_sent(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])

    body = alpha_api.post(
        "/customer", standard(party, description="Moved from our old CRM", role="Customer")
    ).json()

    tmf.validate(body, "Customer")
    assert body["description"] == "Moved from our old CRM" and body["role"] == "Customer"


def test_a_role_other_than_customer_is_refused(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])

    tmf_error(alpha_api.post("/customer", standard(party, role="Supplier")), 400, tmf)


def test_system_set_attributes_of_the_spec_are_refused_with_a_reason(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])
    for name, value in (
        ("partyRoleSpecification", {"@type": "PartyRoleSpecificationRef", "id": "1"}),
        ("creditProfile", []),
        ("account", []),
    ):
        body = tmf_error(alpha_api.post("/customer", standard(party, **{name: value})), 400, tmf)
        assert name in body["message"] and "set by the system" in body["message"]


def test_a_create_answers_with_the_fields_asked_for(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])
    response = alpha_api.client.post(
        "/tmf-api/customerManagement/v5/customer?fields=name,status",
        standard(party),
        content_type="application/json",
        headers=alpha_api.headers,
    )

    assert response.status_code == 201, response.content
    tmf.validate(response.json(), "Customer")
    assert set(response.json()) == {"id", "href", "@type", "@baseType", "name", "status"}


def test_an_unknown_field_asked_of_a_create_creates_nothing(alpha, alpha_api, tmf):
    party = registered_party(alpha[0])
    response = alpha_api.client.post(
        "/tmf-api/customerManagement/v5/customer?fields=nickname",
        standard(party),
        content_type="application/json",
        headers=alpha_api.headers,
    )

    tmf_error(response, 400, tmf)
    assert not Customer.objects.filter(party=party).exists()


def test_a_json_patch_document_is_a_415_as_the_conformance_statement_says(
    alpha_customer, alpha_api, tmf
):
    response = alpha_api.patch(
        f"/customer/{alpha_customer.number}",
        [{"op": "replace", "path": "/name", "value": "X"}],
        content_type="application/json-patch+json",
    )

    tmf_error(response, 415, tmf)
