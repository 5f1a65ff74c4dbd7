"""Two partners: each sees and changes only its own customers, and bad credentials get nothing."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from customers.models import ActionLog, Customer
from customers.partners.models import ApiToken
from customers.partners.services.partners import (
    partner_transition,
    partner_update,
    token_revoke,
    token_rotate,
)
from tests.factories import CustomerFactory

from .conftest import READ_ONLY_SCOPES, ApiClient, individual, partner_with_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _unchanged(customer: Customer) -> bool:
    fresh = Customer.objects.select_related("party").get(pk=customer.pk)
    return (
        fresh.status == customer.status
        and fresh.party.display_name == customer.party.display_name
        and fresh.segment == customer.segment
    )


def test_a_partner_lists_only_its_own_customers(alpha_customer, beta_customer, alpha_api, beta_api):
    alpha_ids = [c["id"] for c in alpha_api.get("/customer").json()]
    beta_ids = [c["id"] for c in beta_api.get("/customer").json()]

    assert alpha_ids == [alpha_customer.number]
    assert beta_ids == [beta_customer.number]


def test_a_partners_filters_never_reach_another_partners_customers(alpha_customer, beta_api):
    response = beta_api.get("/customer", **{"contactMedium.emailAddress": "anna@alpha.example"})

    assert response.json() == [] and response["X-Total-Count"] == "0"


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_partners_customer_is_not_found_and_stays_unchanged(
    alpha_customer, beta_api, method, tmf
):
    path = f"/customer/{alpha_customer.number}"
    if method == "patch":
        response = beta_api.patch(
            path, {"engagedParty": {"@type": "Individual", "familyName": "Hijacked"}}
        )
    else:
        response = getattr(beta_api, method)(path)

    assert response.status_code == 404
    tmf.validate(response.json(), "Error")
    assert _unchanged(alpha_customer)
    assert not ActionLog.objects.filter(customer=alpha_customer, partner__name="Beta Telecom")


def test_a_partner_cannot_move_another_partners_customer_through_the_lifecycle(alpha, beta_api):
    customer = CustomerFactory(partner=alpha[0], status="active")

    response = beta_api.patch(
        f"/customer/{customer.number}", {"status": "terminated", "statusReason": "fraud"}
    )

    assert response.status_code == 404
    assert _unchanged(customer)


def test_the_operators_own_customers_are_hidden_from_partners(alpha_api):
    own = CustomerFactory(partner=None)

    assert alpha_api.get(f"/customer/{own.number}").status_code == 404
    assert alpha_api.get("/customer").json() == []


def test_no_token_is_a_401_asking_for_a_bearer_token(alpha_customer, tmf):
    response = ApiClient().get("/customer")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    tmf.validate(response.json(), "Error")


@pytest.mark.parametrize("token", ["nonsense", "crm_000000000000_wrongsecret", "crm__", "crm_abc"])
def test_an_unknown_token_is_a_401(alpha_customer, token):
    assert ApiClient(token).get("/customer").status_code == 401


def test_a_revoked_token_is_a_401(alpha, alpha_customer):
    partner, secret = alpha
    token_revoke(token=ApiToken.objects.get(partner=partner), actor="test")

    response = ApiClient(secret).get(f"/customer/{alpha_customer.number}")

    assert response.status_code == 401


def test_a_rotated_token_works_until_its_grace_period_ends(alpha, alpha_customer):
    partner, old_secret = alpha
    old = ApiToken.objects.get(partner=partner)
    new = token_rotate(token=old, actor="test", grace=timedelta(hours=1))

    assert ApiClient(old_secret).get("/customer").status_code == 200
    assert ApiClient(new.secret).get("/customer").status_code == 200
    old.refresh_from_db()
    with mock.patch.object(timezone, "now", return_value=old.expires_at + timedelta(seconds=1)):
        assert ApiClient(old_secret).get("/customer").status_code == 401
        assert ApiClient(new.secret).get("/customer").status_code == 200


def test_a_token_revoked_while_in_use_is_a_401_at_once(
    alpha, alpha_api, django_capture_on_commit_callbacks
):
    assert alpha_api.get("/customer").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        token_revoke(token=ApiToken.objects.get(partner=alpha[0]), actor="test")

    assert alpha_api.get("/customer").status_code == 401


def test_a_partner_suspended_while_using_the_api_is_refused_at_once(
    alpha, alpha_api, django_capture_on_commit_callbacks
):
    assert alpha_api.get("/customer").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        partner_transition(partner=alpha[0], action="suspend", actor="test", reason="unpaid")

    assert alpha_api.get("/customer").status_code == 401


def test_a_lower_rate_limit_applies_at_once_to_a_partner_using_the_api(
    alpha, alpha_api, django_capture_on_commit_callbacks
):
    assert alpha_api.get("/customer").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        partner_update(partner=alpha[0], actor="test", rate_limit_per_minute=1)

    assert alpha_api.get("/customer").status_code == 429


def test_a_suspended_partners_tokens_stop_working(alpha, alpha_api):
    partner_transition(partner=alpha[0], action="suspend", actor="test", reason="unpaid invoices")

    assert alpha_api.get("/customer").status_code == 401


def test_a_read_only_token_reads_but_cannot_write(alpha, alpha_customer, tmf):
    _, secret = partner_with_token("Gamma Wholesale", scopes=READ_ONLY_SCOPES)
    reader = ApiClient(secret)
    # The read-only token belongs to Gamma; reading Gamma's own (empty) list works.
    assert reader.get("/customer").status_code == 200

    response = reader.post("/customer", individual())

    assert response.status_code == 403
    tmf.validate(response.json(), "Error")
    assert "customer:write" in response.json()["message"]


def test_a_token_without_the_hub_scope_cannot_subscribe(tmf):
    _, secret = partner_with_token("Delta Data", scopes=READ_ONLY_SCOPES)

    response = ApiClient(secret).post("/hub", {"callback": "http://127.0.0.1:9/events"})

    assert response.status_code == 403


def test_a_partner_over_its_rate_limit_gets_a_429_with_retry_after(alpha, alpha_api, tmf):
    partner = alpha[0]
    partner.rate_limit_per_minute = 3
    partner.save()

    statuses = [alpha_api.get("/customer").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = alpha_api.get("/customer")
    tmf.validate(response.json(), "Error")
    assert 1 <= int(response["Retry-After"]) <= 61


def test_one_partners_rate_limit_does_not_slow_another(alpha, alpha_api, beta_api):
    alpha[0].rate_limit_per_minute = 1
    alpha[0].save()
    alpha_api.get("/customer")

    assert alpha_api.get("/customer").status_code == 429
    assert beta_api.get("/customer").status_code == 200
