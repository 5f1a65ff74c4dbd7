"""A touch point recorded as open is asked about when it is resolved, exactly as one recorded
as resolved is, and never twice."""

import pytest
from django.core import mail

from customers.models import Interaction
from customers.services import interaction_record, interaction_resolve
from satisfaction.models import Invitation
from satisfaction.services import cause_of_event
from satisfaction.tasks import survey_trigger

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]


def _support_call(customer, actor, outcome):
    return interaction_record(
        customer=customer,
        actor=actor,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.INBOUND,
        kind=Interaction.Kind.SUPPORT,
        summary="Router keeps rebooting",
        outcome=outcome,
    )


def test_resolving_an_open_touch_point_sends_its_survey_once(
    nps_survey, consenting_customer, agent, django_capture_on_commit_callbacks
):
    Invitation.objects.filter(customer=consenting_customer).delete()
    with django_capture_on_commit_callbacks(execute=True):
        interaction = _support_call(consenting_customer, agent, Interaction.Outcome.OPEN)
    assert not Invitation.objects.filter(customer=consenting_customer).exists()

    with django_capture_on_commit_callbacks(execute=True):
        interaction_resolve(interaction=interaction, actor=agent)

    invitation = Invitation.objects.get(customer=consenting_customer)
    assert invitation.survey == nps_survey
    assert invitation.trigger_key == f"interaction:{interaction.pk}@{consenting_customer.pk}"
    assert invitation.status == Invitation.Status.SENT
    assert len(mail.outbox) == 1


def test_an_interaction_closed_as_needing_no_action_sends_no_survey(
    nps_survey, consenting_customer, agent, django_capture_on_commit_callbacks
):
    Invitation.objects.filter(customer=consenting_customer).delete()
    interaction = _support_call(consenting_customer, agent, Interaction.Outcome.ESCALATED)

    with django_capture_on_commit_callbacks(execute=True):
        interaction_resolve(interaction=interaction, actor=agent, outcome="no_action")

    assert not Invitation.objects.filter(customer=consenting_customer).exists()


def test_the_same_touch_point_is_one_cause_however_it_closed(
    nps_survey, consenting_customer, agent, settings, django_capture_on_commit_callbacks
):
    """Even with no fatigue rule, the resolve and a late delivery of a recording's trigger name
    the same cause, so the customer gets one invitation for one interaction."""
    settings.SATISFACTION_FATIGUE_DAYS = 0
    Invitation.objects.filter(customer=consenting_customer).delete()
    interaction = _support_call(consenting_customer, agent, Interaction.Outcome.FOLLOW_UP)
    details = {"id": interaction.pk, "kind": "support", "channel": "phone", "outcome": "resolved"}
    recorded = cause_of_event("interaction.recorded", details)

    with django_capture_on_commit_callbacks(execute=True):
        interaction_resolve(interaction=interaction, actor=agent)
    survey_trigger(consenting_customer.pk, recorded.trigger, recorded.key, recorded.touch_point)

    assert cause_of_event("interaction.resolved", details) == recorded
    assert Invitation.objects.filter(customer=consenting_customer).count() == 1
