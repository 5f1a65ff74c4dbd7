import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers.models import ActionLog, CommunicationPreferences, Consent, Customer
from customers.services import consent_record, preferences_update

pytestmark = pytest.mark.django_db


def _consent(customer, actor, *, granted, channel="email", purpose="marketing", source="web"):
    return consent_record(
        customer=customer,
        channel=channel,
        purpose=purpose,
        granted=granted,
        source=source,
        actor=actor,
    )


def _consent_history(customer):
    return list(
        ActionLog.objects.filter(customer=customer, action__startswith="consent.")
        .order_by("id")
        .values_list("action", "data", "actor_label")
    )


def test_recording_a_consent_keeps_the_current_answer_and_who_gave_it(lead, agent):
    consent = _consent(lead, agent, granted=True)

    consent.refresh_from_db()
    assert (consent.channel, consent.purpose, consent.granted) == ("email", "marketing", True)
    assert (consent.source, consent.recorded_by) == ("web", agent)


def test_changing_a_consent_keeps_one_current_row_and_the_full_history_in_the_log(
    lead, agent, other_agent
):
    _consent(lead, agent, granted=True)
    _consent(lead, other_agent, granted=False, source="call_centre")
    _consent(lead, agent, granted=True, source="store")

    current = Consent.objects.get(customer=lead)
    assert (current.granted, current.source, current.recorded_by) == (True, "store", agent)
    answer = {"consent": current.pk, "channel": "email", "purpose": "marketing"}
    assert _consent_history(lead) == [
        (
            "consent.granted",
            {**answer, "source": "web", "previous": None},
            agent.username,
        ),
        (
            "consent.withdrawn",
            {**answer, "source": "call_centre", "previous": True},
            other_agent.username,
        ),
        (
            "consent.granted",
            {**answer, "source": "store", "previous": False},
            agent.username,
        ),
    ]


def test_each_channel_and_purpose_has_its_own_answer(lead, agent):
    _consent(lead, agent, granted=True, channel="email", purpose="marketing")
    _consent(lead, agent, granted=False, channel="sms", purpose="marketing")
    _consent(lead, agent, granted=False, channel="email", purpose="profiling")

    answers = set(
        Consent.objects.filter(customer=lead).values_list("channel", "purpose", "granted")
    )
    assert answers == {
        ("email", "marketing", True),
        ("sms", "marketing", False),
        ("email", "profiling", False),
    }


def test_one_customers_consent_does_not_change_anothers(lead, active_customer, agent):
    _consent(active_customer, agent, granted=True)

    _consent(lead, agent, granted=False)

    assert Consent.objects.get(customer=active_customer).granted is True


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"purpose": "spam"}, "purpose"),
        ({"source": "hearsay"}, "source"),
    ],
)
def test_consent_with_an_unknown_channel_purpose_or_source_is_refused(lead, agent, bad, field):
    with pytest.raises(ValidationError) as refused:
        _consent(lead, agent, granted=True, **bad)

    assert "Unknown" in refused.value.message_dict[field][0]
    assert not Consent.objects.filter(customer=lead).exists()
    assert _consent_history(lead) == []


def test_a_consent_counts_as_activity_on_a_stale_lead(lead, agent):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    Customer.objects.filter(pk=lead.pk).update(last_activity_at=long_ago, stale_since=long_ago)

    _consent(lead, agent, granted=True)

    lead.refresh_from_db()
    assert lead.stale_since is None


def test_preferences_update_changes_the_fields_and_logs_old_and_new(lead, agent):
    preferences_update(
        customer=lead,
        actor=agent,
        language="de",
        preferred_channel="sms",
        contact_time_from=datetime.time(9, 0),
        contact_time_to=datetime.time(17, 30),
        itemised_statement=True,
    )

    preferences = CommunicationPreferences.objects.get(customer=lead)
    assert (preferences.language, preferences.preferred_channel) == ("de", "sms")
    assert (preferences.contact_time_from, preferences.contact_time_to) == (
        datetime.time(9, 0),
        datetime.time(17, 30),
    )
    entry = ActionLog.objects.get(customer=lead, action="preferences.changed")
    assert entry.actor == agent
    assert entry.data == {
        "language": ["en", "de"],
        "preferred_channel": ["email", "sms"],
        "contact_time_from": [None, "09:00:00"],
        "contact_time_to": [None, "17:30:00"],
        "itemised_statement": ["False", "True"],
    }


def test_preferences_update_without_a_change_logs_nothing(lead, agent):
    preferences_update(customer=lead, actor=agent, language="en")

    assert not ActionLog.objects.filter(customer=lead, action="preferences.changed").exists()


def test_a_contact_window_may_run_across_midnight(lead, agent):
    preferences = preferences_update(
        customer=lead,
        actor=agent,
        contact_time_from=datetime.time(18),
        contact_time_to=datetime.time(9),
    )

    assert (preferences.contact_time_from, preferences.contact_time_to) == (
        datetime.time(18),
        datetime.time(9),
    )


@pytest.mark.parametrize(
    ("window", "field", "says"),
    [
        (
            {"contact_time_from": datetime.time(9), "contact_time_to": datetime.time(9)},
            "contact_time_to",
            "must end at another time than it starts",
        ),
        (
            {"contact_time_from": datetime.time(18)},
            "contact_time_to",
            "Give the time the window ends",
        ),
        (
            {"contact_time_to": datetime.time(9)},
            "contact_time_from",
            "Give the time the window starts",
        ),
    ],
)
def test_an_empty_or_half_given_contact_window_is_refused_in_the_forms_words(
    lead, agent, window, field, says
):
    with pytest.raises(ValidationError) as refused:
        preferences_update(customer=lead, actor=agent, language="fr", **window)

    assert says in refused.value.message_dict[field][0]
    assert "Constraint" not in str(refused.value)
    preferences = CommunicationPreferences.objects.get(customer=lead)
    assert (preferences.language, preferences.contact_time_from) == ("en", None)
    assert not ActionLog.objects.filter(customer=lead, action="preferences.changed").exists()


def test_moving_one_end_of_the_window_onto_the_other_is_refused(lead, agent):
    preferences_update(
        customer=lead,
        actor=agent,
        contact_time_from=datetime.time(9),
        contact_time_to=datetime.time(12),
    )

    with pytest.raises(ValidationError, match="must end at another time"):
        preferences_update(customer=lead, actor=agent, contact_time_from=datetime.time(12))

    assert CommunicationPreferences.objects.get(customer=lead).contact_time_from == (
        datetime.time(9)
    )


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"colour": "blue"}, "Unknown preferences: colour."),
        ({"status": "active", "mood": "happy"}, "Unknown preferences: mood, status."),
    ],
)
def test_preferences_update_refuses_unknown_fields(lead, agent, changes, says):
    with pytest.raises(ValidationError) as refused:
        preferences_update(customer=lead, actor=agent, **changes)

    assert refused.value.messages == [says]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"preferred_channel": "pigeon"}, "preferred_channel"),
        ({"statement_format": "fax"}, "statement_format"),
        ({"statement_frequency": "daily"}, "statement_frequency"),
    ],
)
def test_preferences_update_refuses_unknown_choices(lead, agent, changes, field):
    with pytest.raises(ValidationError) as refused:
        preferences_update(customer=lead, actor=agent, **changes)

    assert field in refused.value.message_dict
    assert not ActionLog.objects.filter(customer=lead, action="preferences.changed").exists()


def test_preferences_are_created_when_a_customer_has_none_yet(lead, agent):
    CommunicationPreferences.objects.filter(customer=lead).delete()

    preferences_update(customer=lead, actor=agent, statement_format="paper")

    assert CommunicationPreferences.objects.get(customer=lead).statement_format == "paper"
