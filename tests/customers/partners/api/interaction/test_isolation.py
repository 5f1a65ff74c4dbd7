"""Two partners: neither reads, records for, changes or deletes the other's interactions."""

import pytest

from customers.models import ActionLog, Interaction
from tests.customers.partners.api.conftest import tmf_error

from .conftest import recorded, touch_point

pytestmark = pytest.mark.django_db


def test_a_partner_lists_only_its_own_customers_interactions(
    alpha_api, beta_api, alpha_customer, beta_customer, tmf683
):
    mine, theirs = recorded(alpha_customer), recorded(beta_customer)

    response = alpha_api.get("/partyInteraction")

    assert [item["id"] for item in response.json()] == [str(mine.pk)]
    assert response["X-Total-Count"] == "1"
    assert [item["id"] for item in beta_api.get("/partyInteraction").json()] == [str(theirs.pk)]


def test_filtering_by_another_partners_customer_finds_nothing(beta_api, alpha_customer, tmf683):
    recorded(alpha_customer)

    response = beta_api.get("/partyInteraction", **{"relatedParty.id": alpha_customer.number})

    assert response.status_code == 200 and response.json() == []
    assert response["X-Total-Count"] == "0"


def test_another_partners_interaction_is_not_found(beta_api, alpha_customer, tmf683):
    interaction = recorded(alpha_customer)

    tmf_error(beta_api.get(f"/partyInteraction/{interaction.pk}"), 404, tmf683)


def test_another_partners_interaction_is_not_found_and_stays_unchanged(
    beta_api, alpha_customer, tmf683
):
    interaction = recorded(alpha_customer)

    response = beta_api.patch(
        f"/partyInteraction/{interaction.pk}", {"description": "Hijacked", "status": "completed"}
    )

    tmf_error(response, 404, tmf683)
    interaction.refresh_from_db()
    assert (interaction.summary, interaction.closed_at) == ("Called about the bill", None)
    assert not ActionLog.objects.filter(action__in=["interaction.changed", "interaction.resolved"])


def test_deleting_another_partners_interaction_is_not_found(beta_api, alpha_customer, tmf683):
    interaction = recorded(alpha_customer)

    tmf_error(beta_api.delete(f"/partyInteraction/{interaction.pk}"), 404, tmf683)
    assert Interaction.objects.filter(pk=interaction.pk).exists()


def test_recording_for_another_partners_customer_is_not_found_and_records_nothing(
    beta_api, alpha_customer, tmf683
):
    response = beta_api.post("/partyInteraction", touch_point(alpha_customer.number))

    error = tmf_error(response, 404, tmf683)
    # The same answer as for a number nobody has: it does not tell the customer exists.
    unknown = tmf_error(beta_api.post("/partyInteraction", touch_point("C99999999")), 404, tmf683)
    assert error["message"].replace(alpha_customer.number, "C99999999") == unknown["message"]
    assert not Interaction.objects.exists()
    assert not ActionLog.objects.filter(action="interaction.recorded").exists()


def test_the_operators_own_customers_interactions_are_hidden_from_partners(alpha_api, tmf683):
    from tests.factories import CustomerFactory

    own = recorded(CustomerFactory(family_name="Direct"))

    assert alpha_api.get("/partyInteraction").json() == []
    tmf_error(alpha_api.get(f"/partyInteraction/{own.pk}"), 404, tmf683)


def test_another_partners_hub_is_not_found(alpha_api, beta_api, receiver, tmf683):
    hub = alpha_api.post("/hub", {"callback": receiver.url}).json()

    tmf_error(beta_api.get(f"/hub/{hub['id']}"), 404, tmf683)
    tmf_error(beta_api.delete(f"/hub/{hub['id']}"), 404, tmf683)
    assert beta_api.get("/hub").json() == []
