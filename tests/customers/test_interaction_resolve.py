"""Open interactions have an owner until someone resolves them; resolving and passing one on
are services with an audit trail."""

import pytest
from django.core.exceptions import ValidationError

from customers.models import ActionLog, Interaction
from customers.services import interaction_assign, interaction_record, interaction_resolve
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Outcome = Interaction.Outcome


def _open(customer, actor, *, outcome=Outcome.ESCALATED, kind="complaint", **fields):
    return interaction_record(
        customer=customer,
        actor=actor,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.INBOUND,
        kind=kind,
        summary="No signal since Monday",
        outcome=outcome,
        **fields,
    )


def test_an_open_interaction_is_owned_by_who_recorded_it(active_customer, agent):
    interaction = _open(active_customer, agent)

    interaction.refresh_from_db()
    assert (interaction.owner, interaction.closed_at, interaction.closed_by) == (agent, None, None)


def test_an_open_interaction_recorded_by_someone_who_may_not_resolve_it_is_unassigned(
    active_customer,
):
    recorder = UserFactory(username="temp", is_staff=True)  # in no role

    interaction = _open(active_customer, recorder)

    interaction.refresh_from_db()
    assert (interaction.staff, interaction.owner) == (recorder, None)


def test_an_interaction_closed_at_once_was_closed_by_who_recorded_it(active_customer, agent):
    interaction = _open(active_customer, agent, outcome=Outcome.RESOLVED)

    interaction.refresh_from_db()
    assert interaction.closed_by == agent
    assert interaction.owner == agent


def test_an_open_interaction_may_be_recorded_for_a_colleague(active_customer, agent, other_agent):
    interaction = _open(active_customer, agent, owner=other_agent)

    assert Interaction.objects.get(pk=interaction.pk).owner == other_agent


def test_an_interaction_from_a_job_waits_unassigned(active_customer):
    interaction = _open(active_customer, "job:ivr")

    assert Interaction.objects.get(pk=interaction.pk).owner is None


def test_resolving_closes_it_once_and_logs_who_and_why(active_customer, agent, other_agent):
    interaction = _open(active_customer, agent)

    interaction_resolve(
        interaction=interaction, actor=other_agent, outcome=Outcome.RESOLVED, note="  Mast fixed "
    )

    interaction.refresh_from_db()
    assert interaction.outcome == Outcome.RESOLVED
    assert interaction.closed_at is not None
    assert interaction.closed_by == other_agent
    entry = ActionLog.objects.filter(customer=active_customer).latest("id")
    assert (entry.action, entry.actor) == ("interaction.resolved", other_agent)
    assert entry.data == {
        "id": interaction.pk,
        "kind": "complaint",
        "channel": "phone",
        "outcome": "resolved",
        "note": "Mast fixed",
    }
    with pytest.raises(ValidationError, match="already closed by bob"):
        interaction_resolve(interaction=interaction, actor=agent, outcome=Outcome.NO_ACTION)
    assert ActionLog.objects.filter(action="interaction.resolved").count() == 1


def test_an_interaction_recorded_as_resolved_cannot_be_resolved_again(active_customer, agent):
    interaction = _open(active_customer, agent, outcome=Outcome.RESOLVED)

    with pytest.raises(ValidationError, match="already closed"):
        interaction_resolve(interaction=interaction, actor=agent)


@pytest.mark.parametrize("outcome", [Outcome.OPEN, Outcome.ESCALATED, "shrug"])
def test_resolving_needs_a_closing_outcome(active_customer, agent, outcome):
    interaction = _open(active_customer, agent)

    with pytest.raises(ValidationError) as refused:
        interaction_resolve(interaction=interaction, actor=agent, outcome=outcome)

    assert "outcome" in refused.value.message_dict
    assert Interaction.objects.get(pk=interaction.pk).closed_at is None


def test_resolving_touches_the_customer(active_customer, agent):
    interaction = _open(active_customer, agent)
    before = active_customer.last_activity_at

    interaction_resolve(interaction=interaction, actor=agent)

    active_customer.refresh_from_db()
    assert active_customer.last_activity_at > before


def test_an_open_interaction_is_given_to_a_colleague_with_an_audit(
    active_customer, agent, other_agent
):
    interaction = _open(active_customer, agent)

    interaction_assign(interaction=interaction, owner=other_agent, actor=agent)
    interaction_assign(interaction=interaction, owner=other_agent, actor=agent)  # no change

    assert Interaction.objects.get(pk=interaction.pk).owner == other_agent
    (entry,) = ActionLog.objects.filter(action="interaction.assigned")
    assert entry.data == {"id": interaction.pk, "kind": "complaint", "from": "alice", "to": "bob"}


def test_an_interaction_is_not_given_to_someone_who_may_not_resolve_it(
    active_customer, agent, analyst
):
    interaction = _open(active_customer, agent)
    former = UserFactory(username="gone", is_active=False)

    for owner in (analyst, former):
        with pytest.raises(ValidationError) as refused:
            interaction_assign(interaction=interaction, owner=owner, actor=agent)
        assert "owner" in refused.value.message_dict
    assert Interaction.objects.get(pk=interaction.pk).owner == agent


def test_a_resolved_interaction_keeps_its_owner(active_customer, agent, other_agent):
    interaction = _open(active_customer, agent)
    interaction_resolve(interaction=interaction, actor=agent)

    with pytest.raises(ValidationError, match="already closed"):
        interaction_assign(interaction=interaction, owner=other_agent, actor=agent)


def test_an_interaction_may_go_back_to_the_unassigned_list(active_customer, agent):
    interaction = _open(active_customer, agent)

    interaction_assign(interaction=interaction, owner=None, actor=agent)

    assert Interaction.objects.get(pk=interaction.pk).owner is None
    assert ActionLog.objects.get(action="interaction.assigned").data["to"] is None
