"""A partner's touch point goes through the staff UI's own service: it is on the customer's
timeline and hands the same survey trigger and rescore to satisfaction and risk."""

import pytest
from django.urls import reverse

from crm.models import Handoff
from customers.models import Customer, Interaction
from customers.services.interactions import interaction_record
from risk.models import RescoreRequest
from satisfaction.services import survey_create
from tests.factories import CustomerFactory

from .conftest import touch_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint_survey(db):
    return survey_create(
        name="After a complaint",
        kind="csat",
        trigger="touch_point",
        interaction_kinds=["complaint"],
        actor="test",
    )


def _handed_off(customer: Customer) -> tuple[list, list]:
    """What the receivers wrote for ``customer`` in the change's transaction (nothing commits
    in these tests, so the rows stay): survey triggers, and the rescore request's reasons."""
    surveys = [
        args[1:]
        for args in Handoff.objects.filter(task="satisfaction.tasks.survey_trigger").values_list(
            "args", flat=True
        )
        if args[0] == customer.pk
    ]
    request = RescoreRequest.objects.filter(customer=customer).first()
    return surveys, request.reasons if request else []


def _keyless(surveys: list) -> list:
    """The survey triggers without their interaction's id, which differs from one to another."""
    return [(trigger, key.split(":")[0], touch) for trigger, key, touch in surveys]


def test_a_partners_complaint_is_on_the_staff_timeline(client, agent, alpha_api, alpha_customer):
    body = touch_point(alpha_customer.number, reason="complaint", description="Dropped calls")
    assert alpha_api.post("/partyInteraction", body).status_code == 201
    client.force_login(agent)

    page = client.get(reverse("customers:detail", args=[alpha_customer.number]))

    assert page.status_code == 200
    assert "Dropped calls" in page.content.decode()
    assert "Complaint" in page.content.decode()


def test_a_partners_complaint_asks_for_the_same_survey_and_rescore_as_a_staff_one(
    alpha, alpha_api, alpha_customer, agent, complaint_survey
):
    staff_side = CustomerFactory(partner=alpha[0], family_name="Staffside")
    staff_interaction = interaction_record(
        customer=staff_side,
        channel="phone",
        direction="inbound",
        kind="complaint",
        summary="Dropped calls",
        actor=agent,
    )
    body = touch_point(alpha_customer.number, reason="complaint", description="Dropped calls")

    created = alpha_api.post("/partyInteraction", body).json()

    partner_surveys, partner_rescore = _handed_off(alpha_customer)
    staff_surveys, staff_rescore = _handed_off(staff_side)
    assert partner_surveys == [["touch_point", f"interaction:{created['id']}", "complaint"]]
    assert staff_surveys == [["touch_point", f"interaction:{staff_interaction.pk}", "complaint"]]
    assert _keyless(partner_surveys) == _keyless(staff_surveys)
    assert "complaint recorded" in partner_rescore
    assert partner_rescore == staff_rescore


def test_an_opened_complaint_asks_for_its_survey_when_the_partner_completes_it(
    alpha_api, alpha_customer, complaint_survey
):
    body = touch_point(alpha_customer.number, reason="complaint", status="opened")
    created = alpha_api.post("/partyInteraction", body).json()
    assert _handed_off(alpha_customer)[0] == []

    alpha_api.patch(f"/partyInteraction/{created['id']}", {"status": "completed"})
    alpha_api.patch(f"/partyInteraction/{created['id']}", {"status": "completed"})

    assert _handed_off(alpha_customer)[0] == [
        ["touch_point", f"interaction:{created['id']}", "complaint"]
    ]
    assert Interaction.objects.get().outcome == "resolved"


def test_a_partners_open_interaction_waits_in_the_staff_unassigned_list(
    client, agent, alpha_api, alpha_customer
):
    body = touch_point(alpha_customer.number, status="opened", description="Call back please")
    alpha_api.post("/partyInteraction", body)
    client.force_login(agent)

    page = client.get(reverse("customers:open_interactions"), {"show": "unassigned"})

    assert "Call back please" in page.content.decode()
