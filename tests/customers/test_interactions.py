import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, Customer, Interaction
from customers.services import interaction_record

pytestmark = pytest.mark.django_db

Outcome = Interaction.Outcome


def _record(customer, actor, **fields):
    values = {
        "channel": Interaction.Channel.PHONE,
        "direction": Interaction.Direction.INBOUND,
        "kind": Interaction.Kind.INQUIRY,
        "summary": "Asked about roaming charges",
        **fields,
    }
    return interaction_record(customer=customer, actor=actor, **values)


def test_record_keeps_the_touch_point_and_who_handled_it(lead, agent):
    interaction = _record(lead, agent, summary="  Asked about fibre  ")

    interaction.refresh_from_db()
    assert interaction.customer == lead
    assert interaction.staff == agent
    assert interaction.summary == "Asked about fibre"
    entry = ActionLog.objects.filter(customer=lead).latest("id")
    assert (entry.action, entry.actor) == ("interaction.recorded", agent)
    assert entry.data == {
        "id": interaction.pk,
        "kind": "inquiry",
        "channel": "phone",
        "outcome": "resolved",
    }


@pytest.mark.parametrize("outcome", [Outcome.OPEN, Outcome.ESCALATED, Outcome.FOLLOW_UP])
def test_open_outcomes_keep_the_interaction_open(lead, agent, outcome):
    interaction = _record(lead, agent, outcome=outcome)

    assert Interaction.objects.get(pk=interaction.pk).closed_at is None


@pytest.mark.parametrize("outcome", [Outcome.RESOLVED, Outcome.NO_ACTION])
def test_closed_outcomes_close_the_interaction_at_once(lead, agent, outcome):
    before = timezone.now()

    interaction = _record(lead, agent, outcome=outcome)

    assert Interaction.objects.get(pk=interaction.pk).closed_at >= before


def test_an_interaction_may_be_recorded_after_it_happened(lead, agent):
    yesterday = timezone.now() - datetime.timedelta(days=1)

    interaction = _record(lead, agent, occurred_at=yesterday)

    assert Interaction.objects.get(pk=interaction.pk).occurred_at == yesterday


def test_an_interaction_a_moment_ahead_is_accepted_for_clock_drift(lead, agent):
    interaction = _record(lead, agent, occurred_at=timezone.now() + datetime.timedelta(minutes=2))

    assert Interaction.objects.filter(pk=interaction.pk).exists()


def test_an_interaction_in_the_future_is_refused(lead, agent):
    with pytest.raises(ValidationError) as refused:
        _record(lead, agent, occurred_at=timezone.now() + datetime.timedelta(hours=1))

    assert "future" in refused.value.message_dict["occurred_at"][0]
    assert not Interaction.objects.exists()
    assert not ActionLog.objects.filter(action="interaction.recorded").exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"kind": "gossip"}, "kind"),
        ({"outcome": "shrug"}, "outcome"),
        ({"summary": "   "}, "summary"),
    ],
)
def test_an_interaction_with_bad_values_is_refused_naming_the_field(lead, agent, fields, field):
    with pytest.raises(ValidationError) as refused:
        _record(lead, agent, **fields)

    assert field in refused.value.message_dict
    assert not Interaction.objects.exists()


def test_an_interaction_touches_the_customer_and_clears_the_stale_flag(lead, agent):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    Customer.objects.filter(pk=lead.pk).update(last_activity_at=long_ago, stale_since=long_ago)

    _record(lead, agent)

    lead.refresh_from_db()
    assert lead.stale_since is None
    assert lead.last_activity_at > long_ago


def test_an_interaction_touches_only_its_own_customer(lead, active_customer, agent):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    Customer.objects.filter(pk=active_customer.pk).update(
        last_activity_at=long_ago, stale_since=long_ago
    )

    _record(lead, agent)

    active_customer.refresh_from_db()
    assert active_customer.stale_since == long_ago
    assert not Interaction.objects.filter(customer=active_customer).exists()


def test_an_interaction_by_a_job_has_no_staff_member(lead):
    interaction = _record(lead, "job:ivr", channel=Interaction.Channel.SMS)

    assert Interaction.objects.get(pk=interaction.pk).staff is None
    assert ActionLog.objects.filter(customer=lead).latest("id").actor_label == "job:ivr"
