"""interaction_change: an open interaction is corrected or moved along; a closed one is kept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, Interaction
from customers.services.interactions import (
    interaction_change,
    interaction_record,
    interaction_resolve,
)

pytestmark = pytest.mark.django_db
Outcome = Interaction.Outcome


def _open(customer, actor, **fields):
    values = {
        "channel": "phone",
        "direction": "inbound",
        "kind": "inquiry",
        "summary": "Asked about roaming",
        "outcome": Outcome.OPEN,
        **fields,
    }
    return interaction_record(customer=customer, actor=actor, **values)


def test_change_corrects_an_open_interaction_and_logs_what_changed(lead, agent):
    interaction = _open(lead, agent)

    interaction_change(
        interaction=interaction, actor=agent, summary=" Disputes roaming ", kind="complaint"
    )

    interaction.refresh_from_db()
    assert (interaction.summary, interaction.kind) == ("Disputes roaming", "complaint")
    entry = ActionLog.objects.get(action="interaction.changed")
    assert entry.data == {
        "id": interaction.pk,
        "kind": "complaint",
        "channel": "phone",
        "outcome": "open",
        "changed": ["kind", "summary"],
        "previous_outcome": "open",
    }
    assert entry.actor == agent


def test_change_to_a_closing_outcome_resolves_it_with_the_note(lead, agent):
    interaction = _open(lead, agent)

    interaction_change(
        interaction=interaction, actor=agent, outcome=Outcome.RESOLVED, note="Refunded"
    )

    interaction.refresh_from_db()
    assert interaction.outcome == Outcome.RESOLVED and interaction.closed_by == agent
    assert ActionLog.objects.get(action="interaction.resolved").data["note"] == "Refunded"
    assert not ActionLog.objects.filter(action="interaction.changed").exists()


def test_change_of_a_closed_interaction_is_refused(lead, agent):
    interaction = _open(lead, agent)
    interaction_resolve(interaction=interaction, actor=agent)

    with pytest.raises(ValidationError) as refused:
        interaction_change(interaction=interaction, actor=agent, summary="Rewritten")

    assert refused.value.code == "closed"
    interaction.refresh_from_db()
    assert interaction.summary == "Asked about roaming"


def test_asking_for_what_it_is_changes_and_logs_nothing(lead, agent):
    interaction = _open(lead, agent, outcome=Outcome.RESOLVED)

    interaction_change(
        interaction=interaction, actor=agent, summary="Asked about roaming", kind="inquiry"
    )

    assert not ActionLog.objects.filter(action="interaction.changed").exists()


def test_a_bad_value_is_refused_naming_the_field(lead, agent):
    interaction = _open(lead, agent)

    with pytest.raises(ValidationError) as refused:
        interaction_change(interaction=interaction, actor=agent, channel="pigeon")

    assert "channel" in refused.value.message_dict
    interaction.refresh_from_db()
    assert interaction.channel == "phone"


def test_a_closed_interaction_may_be_recorded_with_the_time_it_ended(lead, agent):
    start = timezone.now() - timedelta(hours=1)

    interaction = _open(
        lead,
        agent,
        outcome=Outcome.RESOLVED,
        occurred_at=start,
        closed_at=start + timedelta(minutes=5),
    )

    assert interaction.closed_at == start + timedelta(minutes=5)


@pytest.mark.parametrize(
    "outcome, end",
    [(Outcome.OPEN, timedelta(minutes=5)), (Outcome.RESOLVED, timedelta(minutes=-5))],
)
def test_an_end_for_an_open_one_or_before_the_start_is_refused(lead, agent, outcome, end):
    start = timezone.now() - timedelta(hours=1)

    with pytest.raises(ValidationError) as refused:
        _open(lead, agent, outcome=outcome, occurred_at=start, closed_at=start + end)

    assert "closed_at" in refused.value.message_dict
    assert not Interaction.objects.exists()
