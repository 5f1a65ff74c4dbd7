"""TMF629 v5 customer resources: every response body is checked against the official schemas."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from customers.identity.models import DuplicateCandidate
from customers.identity.services.merge import customers_merge
from customers.models import ActionLog, ContactMedium, Customer, LatestScores, LifecycleEvent
from customers.services import ContactMediumInput
from tests.factories import CustomerFactory, SubscriptionFactory

from .conftest import API, ApiClient, individual

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _values(body, name):
    return {c["name"]: c["value"] for c in body.get("characteristic", [])}.get(name)


def test_create_answers_201_with_location_and_a_tmf_customer(alpha, alpha_api, tmf):
    body = individual(
        "Jane",
        "Doe",
        contactMedium=[
            {
                "@type": "EmailContactMedium",
                "emailAddress": "Jane.Doe@Example.org",
                "preferred": True,
            },
            {
                "@type": "PhoneContactMedium",
                "phoneNumber": "+44 7911 123456",
                "contactType": "mobile",
            },
            {
                "@type": "GeographicAddressContactMedium",
                "street1": "1 High Street",
                "city": "London",
                "postCode": "sw1a 1aa",
                "country": "GB",
            },
        ],
        characteristic=[
            {"@type": "StringCharacteristic", "name": "segment", "value": "small_business"},
            {"@type": "StringCharacteristic", "name": "externalReference", "value": "ALPHA-1"},
        ],
        paymentMethod=[{"id": "direct_debit", "@type": "PaymentMethodRef"}],
    )

    response = alpha_api.post("/customer", body)

    assert response.status_code == 201, response.content
    created = response.json()
    tmf.validate(created, "Customer")
    customer = Customer.objects.get(number=created["id"])
    assert (
        response["Location"]
        == created["href"]
        == f"http://testserver{API}/customer/{customer.number}"
    )
    assert customer.partner == alpha[0]
    assert customer.status == "lead" and created["status"] == "lead"
    assert created["engagedParty"]["@referredType"] == "Individual"
    assert {m["@type"] for m in created["contactMedium"]} == {
        "EmailContactMedium",
        "PhoneContactMedium",
        "GeographicAddressContactMedium",
    }
    assert _values(created, "segment") == "small_business"
    assert _values(created, "externalReference") == "ALPHA-1"
    assert created["paymentMethod"][0]["id"] == "direct_debit"
    assert (
        ContactMedium.objects.get(party=customer.party, kind="email").value
        == "jane.doe@example.org"
    )
    assert ContactMedium.objects.get(party=customer.party, kind="mobile").value == "+447911123456"


def test_create_of_an_organisation_uses_the_legal_name(alpha_api, tmf):
    body = {
        "@type": "Customer",
        "engagedParty": {
            "@type": "Organization",
            "name": "Northwind Trading Ltd",
            "tradingName": "Northwind",
            "registrationNumber": "gb123456",
        },
    }

    response = alpha_api.post("/customer", body)

    assert response.status_code == 201, response.content
    tmf.validate(response.json(), "Customer")
    assert response.json()["name"] == "Northwind Trading Ltd (Northwind)"
    assert response.json()["engagedParty"]["@referredType"] == "Organization"


def test_create_as_active_goes_through_the_lifecycle(alpha_api):
    response = alpha_api.post(
        "/customer", individual(status="active", statusReason="contract_signed")
    )

    assert response.status_code == 201, response.content
    customer = Customer.objects.get(number=response.json()["id"])
    assert customer.status == "active" and customer.status_reason == "contract_signed"
    assert list(
        LifecycleEvent.objects.filter(customer=customer)
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["create", "establish"]


def test_every_api_write_is_audited_with_the_partner_as_actor(alpha, alpha_api):
    number = alpha_api.post("/customer", individual()).json()["id"]
    alpha_api.patch(
        f"/customer/{number}", {"engagedParty": {"@type": "Individual", "givenName": "Janet"}}
    )

    entries = ActionLog.objects.filter(customer__number=number).order_by("id")
    assert [e.action for e in entries] == ["customer.created", "customer.updated"]
    assert all(e.partner == alpha[0] and e.actor is None for e in entries)
    assert all(e.actor_label == "partner Alpha Mobile" for e in entries)


def test_list_pages_with_offset_and_limit_and_counts_in_headers(alpha, alpha_api, tmf):
    created = [CustomerFactory(partner=alpha[0]) for _ in range(7)]

    response = alpha_api.get("/customer", offset=2, limit=3)

    assert response.status_code == 200
    assert response["X-Total-Count"] == "7"
    assert response["X-Result-Count"] == "3"
    newest_first = [c.number for c in reversed(created)]
    assert [c["id"] for c in response.json()] == newest_first[2:5]
    for customer in response.json():
        tmf.validate(customer, "Customer")


def test_fields_returns_the_attributes_asked_for_and_always_id_href_and_type(
    alpha_customer, alpha_api
):
    response = alpha_api.get("/customer", fields="name,status")

    assert response.status_code == 200
    assert set(response.json()[0]) == {"id", "href", "@type", "@baseType", "name", "status"}
    retrieved = alpha_api.get(f"/customer/{alpha_customer.number}", fields="contactMedium").json()
    assert set(retrieved) == {"id", "href", "@type", "@baseType", "contactMedium"}


def test_fields_naming_an_unknown_attribute_is_a_400(alpha_customer, alpha_api, tmf):
    response = alpha_api.get("/customer", fields="name,shoeSize")

    assert response.status_code == 400
    tmf.validate(response.json(), "Error")
    assert "shoeSize" in response.json()["message"]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": "active"}, {"Ada"}),
        ({"status": "active,suspended"}, {"Ada", "Sam"}),
        ({"name": "ada"}, {"Ada"}),
        ({"name": "Sus"}, {"Sam"}),
        ({"segment": "enterprise"}, {"Lea"}),
        ({"contactMedium.emailAddress": "LEA@corp.example"}, {"Lea"}),
        ({"contactMedium.phoneNumber": "07911 123457"}, {"Sam"}),
        ({"externalReference": "EXT-9"}, {"Lea"}),
    ],
)
def test_attribute_filters(alpha, alpha_api, params, expected):
    partner = alpha[0]
    CustomerFactory(partner=partner, given_name="Ada", family_name="Active", status="active")
    CustomerFactory(
        partner=partner,
        given_name="Sam",
        family_name="Suspended",
        status="suspended",
        contact_media=[ContactMediumInput(kind="mobile", value="+447911123457")],
    )
    CustomerFactory(
        partner=partner,
        given_name="Lea",
        family_name="Lead",
        segment="enterprise",
        partner_reference="EXT-9",
        contact_media=[ContactMediumInput(kind="email", value="lea@corp.example")],
    )

    response = alpha_api.get("/customer", **params)

    assert response.status_code == 200
    assert {c["name"].split()[0] for c in response.json()} == expected
    assert response["X-Total-Count"] == str(len(expected))


@pytest.mark.parametrize(
    "params",
    [{"status": "happy"}, {"limit": "0"}, {"limit": "x"}, {"offset": "-1"}, {"colour": "red"}],
)
def test_bad_query_parameters_are_a_400(alpha_api, params, tmf):
    response = alpha_api.get("/customer", **params)

    assert response.status_code == 400
    tmf.validate(response.json(), "Error")


def test_retrieve_shows_scores_as_credit_profile_and_characteristics(
    alpha_customer, alpha_api, tmf
):
    LatestScores.objects.create(
        customer=alpha_customer,
        churn_risk=0.31,
        credit_score=612,
        credit_rating="C",
        fraud_risk=0.02,
        influence=0.1,
        lifetime_value=Decimal("1234.50"),
        value_segment="high",
        value_at_risk=Decimal("382.70"),
        scored_at=timezone.now(),
    )

    body = alpha_api.get(f"/customer/{alpha_customer.number}").json()

    tmf.validate(body, "Customer")
    assert body["creditProfile"][0]["creditScore"] == 612
    assert body["creditProfile"][0]["creditRiskRating"] == 3
    assert _values(body, "churnRisk") == 0.31
    assert _values(body, "valueSegment") == "high"
    assert _values(body, "fraudRisk") is None  # for the operator's staff only


def test_contracts_show_as_agreements(alpha, alpha_api, tmf):
    customer = CustomerFactory(partner=alpha[0], status="active")
    SubscriptionFactory(customer=customer, contract_term_months=24, monthly_charge=Decimal("30"))

    body = alpha_api.get(f"/customer/{customer.number}").json()

    tmf.validate(body, "Customer")
    assert len(body["agreement"]) == 1 and "24 months" in body["agreement"][0]["name"]
    assert body["account"][0]["id"] == customer.number


def test_merge_patch_changes_the_party_and_the_segment(alpha_customer, alpha_api, tmf):
    response = alpha_api.patch(
        f"/customer/{alpha_customer.number}",
        {
            "engagedParty": {"@type": "Individual", "familyName": "Alphason-Smith"},
            "characteristic": [{"name": "segment", "value": "enterprise"}],
        },
    )

    assert response.status_code == 200, response.content
    tmf.validate(response.json(), "Customer")
    alpha_customer.refresh_from_db()
    alpha_customer.party.refresh_from_db()
    assert alpha_customer.party.display_name == "Anna Alphason-Smith"
    assert alpha_customer.segment == "enterprise"


def test_plain_json_patch_is_accepted_too(alpha_customer, alpha_api):
    response = alpha_api.patch(
        f"/customer/{alpha_customer.number}",
        {"paymentMethod": [{"id": "card"}]},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    alpha_customer.refresh_from_db()
    assert alpha_customer.payment_method == "card"


def test_patch_of_a_null_removes_the_value(alpha_customer, alpha_api):
    alpha_api.patch(f"/customer/{alpha_customer.number}", {"paymentMethod": [{"id": "card"}]})

    response = alpha_api.patch(f"/customer/{alpha_customer.number}", {"paymentMethod": None})

    assert response.status_code == 200
    alpha_customer.refresh_from_db()
    assert alpha_customer.payment_method == ""
    assert "paymentMethod" not in response.json() or response.json()["paymentMethod"] == []


def test_patch_replaces_the_contact_media_keeping_those_sent_with_their_id(
    alpha_customer, alpha_api
):
    kept = ContactMedium.objects.get(party=alpha_customer.party, kind="email")
    ContactMedium.objects.create(party=alpha_customer.party, kind="phone", value="+442079460000")

    response = alpha_api.patch(
        f"/customer/{alpha_customer.number}",
        {
            "contactMedium": [
                {
                    "@type": "EmailContactMedium",
                    "id": str(kept.id),
                    "emailAddress": kept.value,
                    "preferred": True,
                },
                {
                    "@type": "SocialContactMedium",
                    "socialNetworkId": "@anna",
                    "contactType": "social",
                },
            ]
        },
    )

    assert response.status_code == 200, response.content
    media = ContactMedium.objects.filter(party=alpha_customer.party)
    assert {(m.kind, m.value) for m in media} == {("email", kept.value), ("social", "@anna")}
    assert media.get(kind="email").pk == kept.pk and media.get(kind="email").is_preferred


def test_patch_of_status_moves_the_customer_through_the_lifecycle(alpha, alpha_api, tmf):
    customer = CustomerFactory(partner=alpha[0], status="active")

    response = alpha_api.patch(
        f"/customer/{customer.number}", {"status": "suspended", "statusReason": "non_payment"}
    )

    assert response.status_code == 200, response.content
    tmf.validate(response.json(), "Customer")
    assert response.json()["status"] == "suspended"
    event = LifecycleEvent.objects.filter(customer=customer).first()
    assert (event.action, event.reason) == ("suspend", "non_payment")


def test_patch_to_active_from_suspended_resumes(alpha, alpha_api):
    customer = CustomerFactory(partner=alpha[0], status="suspended")

    response = alpha_api.patch(f"/customer/{customer.number}", {"status": "active"})

    assert response.status_code == 200
    assert LifecycleEvent.objects.filter(customer=customer).first().action == "resume"


def test_an_illegal_status_change_is_a_409_and_changes_nothing(alpha_customer, alpha_api, tmf):
    response = alpha_api.patch(
        f"/customer/{alpha_customer.number}",
        {
            "status": "suspended",
            "statusReason": "non_payment",
            "characteristic": [{"name": "segment", "value": "enterprise"}],
        },
    )

    assert response.status_code == 409
    tmf.validate(response.json(), "Error")
    assert "cannot become suspended" in response.json()["message"]
    alpha_customer.refresh_from_db()
    assert alpha_customer.status == "lead" and alpha_customer.segment == "residential"


def test_a_status_change_without_its_required_reason_is_a_400(alpha, alpha_api, tmf):
    customer = CustomerFactory(partner=alpha[0], status="active")

    response = alpha_api.patch(f"/customer/{customer.number}", {"status": "terminated"})

    assert response.status_code == 400
    tmf.validate(response.json(), "Error")
    assert "reason" in response.json()["message"]
    customer.refresh_from_db()
    assert customer.status == "active"


def test_delete_removes_a_lead_and_its_party(alpha_customer, alpha_api):
    party_id = alpha_customer.party_id

    response = alpha_api.delete(f"/customer/{alpha_customer.number}")

    assert response.status_code == 204
    assert not Customer.objects.filter(pk=alpha_customer.pk).exists()
    assert alpha_api.get(f"/customer/{alpha_customer.number}").status_code == 404
    deleted = ActionLog.objects.get(action="customer.deleted")
    assert deleted.customer is None and deleted.data["number"] == alpha_customer.number
    assert not ContactMedium.objects.filter(party_id=party_id).exists()


def test_delete_of_a_customer_with_history_is_a_409(alpha, alpha_api, tmf):
    customer = CustomerFactory(partner=alpha[0], status="active")

    response = alpha_api.delete(f"/customer/{customer.number}")

    assert response.status_code == 409
    tmf.validate(response.json(), "Error")
    assert "terminated, not deleted" in response.json()["message"]
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_an_exact_duplicate_is_refused_without_naming_another_partners_customer(
    beta, alpha_api, tmf
):
    CustomerFactory(partner=beta[0], given_name="Ida", family_name="Twin", national_id="AB123456C")

    response = alpha_api.post(
        "/customer",
        {
            "@type": "Customer",
            "engagedParty": {
                "@type": "Individual",
                "givenName": "Ida",
                "familyName": "Twin",
                "nationalId": "AB123456C",
            },
        },
    )

    assert response.status_code == 409
    tmf.validate(response.json(), "Error")
    assert response.json()["code"] == "duplicate"
    assert "C0" not in response.json()["message"]
    assert Customer.objects.filter(party__family_name="Twin").count() == 1


def test_an_exact_duplicate_of_ones_own_customer_names_it(alpha, alpha_api):
    own = CustomerFactory(
        partner=alpha[0], given_name="Ida", family_name="Twin", national_id="AB123456C"
    )

    response = alpha_api.post(
        "/customer",
        {
            "@type": "Customer",
            "engagedParty": {
                "@type": "Individual",
                "givenName": "Ida",
                "familyName": "Twin",
                "nationalId": "AB123456C",
            },
        },
    )

    assert response.status_code == 409
    assert own.number in response.json()["message"]


def test_a_probable_duplicate_is_created_and_queued_for_review(alpha, alpha_api):
    existing = CustomerFactory(
        partner=alpha[0],
        given_name="Maria",
        family_name="Gonzalez",
        contact_media=[ContactMediumInput(kind="email", value="maria.g@example.org")],
    )

    response = alpha_api.post(
        "/customer",
        individual(
            "Maria",
            "Gonzales",
            contactMedium=[{"@type": "EmailContactMedium", "emailAddress": "maria.g@example.org"}],
        ),
    )

    assert response.status_code == 201, response.content
    created = Customer.objects.get(number=response.json()["id"])
    pair = DuplicateCandidate.objects.get()
    assert {pair.customer_low_id, pair.customer_high_id} == {existing.pk, created.pk}
    assert (pair.status, pair.source) == ("open", "api")


def test_a_list_runs_the_same_queries_for_few_or_many_customers(
    alpha, alpha_api, django_assert_num_queries
):
    for index in range(3):
        CustomerFactory(
            partner=alpha[0],
            status="active",
            contact_media=[ContactMediumInput(kind="email", value=f"few{index}@x.example")],
        )
    alpha_api.get("/customer")  # the token's "last used" is written at most once a minute
    # The token, the count, the page's ids, the page, its contact media and its contracts.
    cache.clear()
    with django_assert_num_queries(6) as few:
        assert len(alpha_api.get("/customer").json()) == 3
    for index in range(30):
        CustomerFactory(
            partner=alpha[0],
            status="active",
            contact_media=[ContactMediumInput(kind="email", value=f"many{index}@x.example")],
        )
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):
        assert len(alpha_api.get("/customer").json()) == 33


def test_the_total_is_counted_once_and_again_after_a_change(alpha, alpha_api):
    CustomerFactory(partner=alpha[0])
    assert alpha_api.get("/customer")["X-Total-Count"] == "1"

    alpha_api.post("/customer", individual())
    CustomerFactory(partner=None)  # not Alpha's: its count stays

    assert alpha_api.get("/customer")["X-Total-Count"] == "2"


def test_staff_see_every_customer_with_fraud_risk_by_their_session(
    alpha_customer, beta_customer, manager, client
):
    client.force_login(manager)
    staff_api = ApiClient(client=client)

    response = staff_api.get("/customer")

    assert response.status_code == 200
    assert {c["id"] for c in response.json()} >= {alpha_customer.number, beta_customer.number}


def test_staff_need_the_role_permission_for_a_status_change(agent, alpha, client):
    customer = CustomerFactory(partner=alpha[0], status="active")
    client.force_login(agent)
    staff_api = ApiClient(client=client)

    response = staff_api.patch(
        f"/customer/{customer.number}", {"status": "suspended", "statusReason": "non_payment"}
    )

    assert response.status_code == 403
    assert response.json()["message"] == "Only managers may suspend a customer. Ask a manager."
    customer.refresh_from_db()
    assert customer.status == "active"


def test_people_without_staff_status_get_nothing(alpha_customer, client, django_user_model):
    client.force_login(
        django_user_model.objects.create_user("customer-portal-user", is_staff=False)
    )

    response = ApiClient(client=client).get("/customer")

    assert response.status_code == 403


def test_staff_writes_through_their_session_need_the_csrf_token(manager, client):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager)

    response = ApiClient(client=browser).post("/customer", individual())

    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
    assert not Customer.objects.exists()


def test_an_external_reference_is_unique_per_partner_only(alpha_api, beta_api, tmf):
    first = alpha_api.post(
        "/customer",
        individual("Ann", "One", characteristic=[{"name": "externalReference", "value": "1001"}]),
    )
    other_partner = beta_api.post(
        "/customer",
        individual("Ben", "Two", characteristic=[{"name": "externalReference", "value": "1001"}]),
    )
    again = alpha_api.post(
        "/customer",
        individual("Cat", "Three", characteristic=[{"name": "externalReference", "value": "1001"}]),
    )

    assert first.status_code == 201 and other_partner.status_code == 201
    assert again.status_code == 409
    tmf.validate(again.json(), "Error")
    assert first.json()["id"] in again.json()["message"]
    found = alpha_api.get("/customer", externalReference="1001").json()
    assert [c["id"] for c in found] == [first.json()["id"]]


def test_a_phone_keeps_its_contact_type(alpha_api):
    created = alpha_api.post(
        "/customer",
        individual(
            contactMedium=[
                {
                    "@type": "PhoneContactMedium",
                    "phoneNumber": "+44 20 7946 0000",
                    "contactType": "work",
                }
            ]
        ),
    ).json()

    assert created["contactMedium"][0]["contactType"] == "work"


def test_deleting_a_customer_keeps_its_audit_trail(alpha, alpha_api):
    number = alpha_api.post("/customer", individual()).json()["id"]
    alpha_api.patch(
        f"/customer/{number}", {"characteristic": [{"name": "segment", "value": "enterprise"}]}
    )

    alpha_api.delete(f"/customer/{number}")

    trail = ActionLog.objects.filter(
        partner=alpha[0], customer=None, action__startswith="customer."
    ).order_by("id")
    assert [e.action for e in trail] == ["customer.created", "customer.updated", "customer.deleted"]


def test_a_probable_duplicate_at_another_partner_is_not_queued_for_a_merge(beta, alpha_api):
    CustomerFactory(
        partner=beta[0],
        given_name="Maria",
        family_name="Gonzalez",
        contact_media=[ContactMediumInput(kind="email", value="maria.g@example.org")],
    )

    response = alpha_api.post(
        "/customer",
        individual(
            "Maria",
            "Gonzales",
            contactMedium=[{"@type": "EmailContactMedium", "emailAddress": "maria.g@example.org"}],
        ),
    )

    assert response.status_code == 201
    assert not DuplicateCandidate.objects.exists()


def test_a_merged_customer_names_the_customer_it_was_merged_into(alpha, alpha_api, tmf):
    survivor = CustomerFactory(partner=alpha[0], given_name="Anna", family_name="Alphason")
    merged = CustomerFactory(partner=alpha[0], given_name="Anna", family_name="Alphasson")
    customers_merge(survivor=survivor, merged=merged, actor=None)

    body = alpha_api.get(f"/customer/{merged.number}").json()

    tmf.validate(body, "Customer")
    [merged_into] = [party for party in body["relatedParty"] if party["role"] == "mergedInto"]
    assert merged_into["partyOrPartyRole"]["id"] == survivor.number
    assert merged_into["partyOrPartyRole"]["href"].endswith(f"/customer/{survivor.number}")
