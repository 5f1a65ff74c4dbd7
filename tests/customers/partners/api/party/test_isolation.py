"""A partner sees and changes only its own parties and its own customers' parties: another
partner's party answers 404 to every operation, exactly as a party that does not exist."""

import pytest

from customers.models import ActionLog, Party
from tests.customers.partners.api.conftest import PARTY_API, ApiClient, tmf_error
from tests.factories import CustomerFactory

from .conftest import person, valid

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


@pytest.fixture
def betas_party(beta_parties):
    return beta_parties.post("/individual", person("Bernd", "Betamann")).json()["id"]


@pytest.fixture
def betas_customer_party(beta):
    return str(CustomerFactory(partner=beta[0], given_name="Berta", family_name="Kunde").party_id)


def _unchanged(party_id):
    party = Party.objects.get(pk=party_id)
    return (party.given_name, party.family_name, party.contact_media.count())


@pytest.mark.parametrize("which", ["betas_party", "betas_customer_party"])
def test_another_partners_party_is_not_found_by_any_operation(
    request, alpha_parties, tmf632, which
):
    party_id = request.getfixturevalue(which)
    before = _unchanged(party_id)
    logged = ActionLog.objects.count()

    tmf_error(alpha_parties.get(f"/individual/{party_id}"), 404, tmf632)
    tmf_error(alpha_parties.patch(f"/individual/{party_id}", {"givenName": "Evil"}), 404, tmf632)
    tmf_error(alpha_parties.delete(f"/individual/{party_id}"), 404, tmf632)

    assert _unchanged(party_id) == before
    assert ActionLog.objects.count() == logged


def test_the_404_for_another_partners_party_reads_as_for_none(alpha_parties, betas_party):
    theirs = alpha_parties.get(f"/individual/{betas_party}").json()
    missing = alpha_parties.get("/individual/999999").json()

    assert theirs["message"].replace(betas_party, "X") == missing["message"].replace("999999", "X")


def test_lists_and_filters_hold_only_ones_own_parties(
    alpha, alpha_parties, tmf632, betas_party, betas_customer_party
):
    own = alpha_parties.post("/individual", person("Bernd", "Alphamann")).json()["id"]
    customer = CustomerFactory(partner=alpha[0], given_name="Bernd", family_name="Kunde")

    response = alpha_parties.get("/individual", givenName="Bernd")
    body = valid(tmf632, response, "Individual")

    assert {item["id"] for item in body} == {own, str(customer.party_id)}
    assert response["X-Total-Count"] == "2"


def test_a_filter_on_another_partners_email_finds_nothing(alpha_parties, beta_parties, tmf632):
    beta_parties.post(
        "/individual",
        person(contactMedium=[{"@type": "EmailContactMedium", "emailAddress": "b@beta.example"}]),
    )

    response = alpha_parties.get("/individual", **{"contactMedium.emailAddress": "b@beta.example"})

    assert valid(tmf632, response, "Individual") == []
    assert response["X-Total-Count"] == "0"


def test_staff_see_every_party(manager, client, betas_party, betas_customer_party, tmf632):
    client.force_login(manager)
    staff = ApiClient(client=client, root=PARTY_API)

    body = valid(tmf632, staff.get("/individual"), "Individual")

    assert {item["id"] for item in body} == {betas_party, betas_customer_party}


def test_a_token_without_the_write_scope_cannot_register(tmf632):
    from customers.partners.models import ApiToken
    from tests.customers.partners.api.conftest import partner_with_token

    _, token = partner_with_token("Reader", scopes=[ApiToken.Scope.READ])

    tmf_error(ApiClient(token, root=PARTY_API).post("/individual", person()), 403, tmf632)
    assert not Party.objects.exists()


def test_no_token_is_a_401(tmf632):
    tmf_error(ApiClient(root=PARTY_API).get("/individual"), 401, tmf632)
