"""Triggers, consent, fatigue, signed links, answers stored once and follow-ups, through the
services on real tables; e-mails land in Django's test outbox."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from customers import roles
from customers.models import Consent, Customer, Interaction
from customers.services import (
    ContactMediumInput,
    consent_record,
    customer_terminate,
    interaction_record,
)
from risk.features import features_as_of
from risk.models import RescoreRequest
from satisfaction import services
from satisfaction.models import DailyResult, FollowUp, Invitation, Response, Survey
from satisfaction.tasks import invitations_remind, relationship_surveys_invite
from tests.factories import CustomerFactory, ProductFactory, SubscriptionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

SUPPORT_CLOSED = services.Cause("touch_point", "interaction:1", "support")


def _survey(kind="nps", trigger="touch_point", **options) -> Survey:
    if trigger == "touch_point":
        options.setdefault("interaction_kinds", ["support"])
    return services.survey_create(
        name=f"{kind} {trigger} {Survey.objects.count()}",
        kind=kind,
        trigger=trigger,
        actor=None,
        **options,
    )


def _customer(*, email=True, mobile=False, consent=("email",), manager=None) -> Customer:
    media = []
    if email:
        media.append(ContactMediumInput(kind="email", value="ada@example.org", is_preferred=True))
    if mobile:
        media.append(ContactMediumInput(kind="mobile", value="+447911123456"))
    customer = CustomerFactory(
        status=Customer.Status.ACTIVE,
        given_name="Ada",
        family_name="Lovelace",
        contact_media=media,
        account_manager=manager,
    )
    for channel in consent:
        consent_record(
            customer=customer,
            channel=channel,
            purpose=Consent.Purpose.SURVEYS,
            granted=True,
            source=Consent.Source.WEB,
            actor=None,
        )
    Invitation.objects.filter(customer=customer).delete()  # none from its on-boarding
    return customer


def _invited(survey=None, customer=None, cause=SUPPORT_CLOSED) -> Invitation:
    invitation = services.invitation_create(
        survey=survey or _survey(), customer=customer or _customer(), cause=cause
    )
    return services.invitation_send(invitation=invitation)


# --- Triggers -------------------------------------------------------------------------------


def _close_interaction(customer, kind="support", outcome="resolved"):
    return interaction_record(
        customer=customer,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.INBOUND,
        kind=kind,
        summary="Router replaced",
        outcome=outcome,
        actor=None,
    )


def test_closing_a_chosen_interaction_type_sends_its_survey_after_commit(
    django_capture_on_commit_callbacks,
):
    survey = _survey(interaction_kinds=["support", "billing"])
    customer = _customer()

    with django_capture_on_commit_callbacks(execute=True):
        interaction = _close_interaction(customer)

    invitation = Invitation.objects.get(customer=customer)
    assert invitation.survey == survey
    assert invitation.trigger_key == f"interaction:{interaction.pk}@{customer.pk}"
    assert invitation.status == Invitation.Status.SENT
    assert invitation.touch_point == "support"
    assert len(mail.outbox) == 1
    assert Interaction.objects.filter(
        customer=customer, kind="survey", direction="outbound", channel="email"
    ).exists()


@pytest.mark.parametrize(
    ("kind", "outcome"), [("inquiry", "resolved"), ("support", "open"), ("survey", "resolved")]
)
def test_other_types_open_interactions_and_survey_contacts_send_nothing(
    kind, outcome, django_capture_on_commit_callbacks
):
    _survey(interaction_kinds=["support"])
    customer = _customer()

    with django_capture_on_commit_callbacks(execute=True):
        _close_interaction(customer, kind=kind, outcome=outcome)

    assert not Invitation.objects.filter(customer=customer).exists()
    assert mail.outbox == []


def test_on_boarding_and_termination_send_their_surveys(django_capture_on_commit_callbacks):
    welcome = _survey(trigger="onboarding")
    goodbye = _survey(kind="csat", trigger="exit")
    customer = _customer()
    Invitation.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        customer_terminate(customer=customer, actor=None, reason="voluntary_churn")

    (invitation,) = Invitation.objects.filter(customer=customer)
    assert invitation.survey == goodbye and invitation.touch_point == "exit"
    assert not Invitation.objects.filter(survey=welcome).exists()


def test_a_trigger_delivered_twice_invites_once():
    survey, customer = _survey(), _customer()

    first = services.invitation_create(survey=survey, customer=customer, cause=SUPPORT_CLOSED)
    second = services.invitation_create(survey=survey, customer=customer, cause=SUPPORT_CLOSED)
    services.invitation_send(invitation=first)
    services.invitation_send(invitation=second)

    assert first.pk == second.pk
    assert len(mail.outbox) == 1


# --- Consent and fatigue --------------------------------------------------------------------


def test_no_invitation_without_consent_to_surveys():
    customer = _customer(consent=())

    with pytest.raises(services.NotInvited, match="no consent"):
        services.invitation_create(survey=_survey(), customer=customer, cause=SUPPORT_CLOSED)

    assert not Invitation.objects.exists()


def test_no_invitation_after_consent_is_withdrawn():
    customer = _customer()
    consent_record(
        customer=customer,
        channel="email",
        purpose="surveys",
        granted=False,
        source="call_centre",
        actor=None,
    )

    with pytest.raises(services.NotInvited, match="no consent"):
        services.invitation_create(survey=_survey(), customer=customer, cause=SUPPORT_CLOSED)


def test_consent_by_sms_alone_invites_by_sms_logged_as_an_outbound_message():
    customer = _customer(email=True, mobile=True, consent=("sms",))

    invitation = _invited(customer=customer)

    assert invitation.channel == "sms" and invitation.address == "+447911123456"
    assert mail.outbox == []
    assert Interaction.objects.filter(customer=customer, kind="survey", channel="sms").exists()


def test_consent_on_a_channel_without_an_address_is_no_invitation():
    customer = _customer(email=False, consent=("email",))

    with pytest.raises(services.NotInvited, match="no e-mail address or mobile"):
        services.invitation_create(survey=_survey(), customer=customer, cause=SUPPORT_CLOSED)


def test_fatigue_allows_one_invitation_per_customer_in_the_window(settings):
    settings.SATISFACTION_FATIGUE_DAYS = 30
    customer = _customer()
    first = _invited(customer=customer)
    another_survey = _survey(kind="csat")
    later = services.Cause("touch_point", "interaction:2", "support")

    with pytest.raises(services.NotInvited, match="last 30 days"):
        services.invitation_create(survey=another_survey, customer=customer, cause=later)

    Invitation.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=31))
    assert services.invitation_create(survey=another_survey, customer=customer, cause=later)


def test_an_inactive_survey_invites_nobody():
    survey = _survey(is_active=False)

    with pytest.raises(services.NotInvited, match="not active"):
        services.invitation_create(survey=survey, customer=_customer(), cause=SUPPORT_CLOSED)


# --- Links ----------------------------------------------------------------------------------


def test_the_e_mail_carries_a_signed_link_in_the_customers_language():
    invitation = _invited()

    (message,) = mail.outbox
    link = services.invitation_link(invitation)
    assert link in message.body
    assert link in message.alternatives[0][0]
    assert message.to == ["ada@example.org"]
    assert services.invitation_from_token(link.rstrip("/").rsplit("/", 1)[-1]) == invitation


def test_a_tampered_link_is_refused():
    token = services.invitation_token(_invited())
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for bad in (tampered, "", "nonsense", token + "x"):
        with pytest.raises(services.LinkInvalid):
            services.invitation_from_token(bad)


def test_an_expired_link_takes_no_answer():
    invitation = _invited()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    invitation.refresh_from_db()

    with pytest.raises(services.LinkExpired):
        services.response_submit(invitation=invitation, score=9)
    assert not Response.objects.exists()


def test_a_used_link_takes_no_second_answer():
    invitation = _invited()
    services.response_submit(invitation=invitation, score=9)
    stale = Invitation.objects.get(pk=invitation.pk)
    stale.status = Invitation.Status.SENT  # as a second tab still believes

    with pytest.raises(services.AlreadyAnswered):
        services.response_submit(invitation=stale, score=2)

    assert Response.objects.get().score == 9
    assert not FollowUp.objects.exists()


def test_an_answer_off_the_scale_is_a_validation_error_and_stores_nothing():
    invitation = _invited()

    with pytest.raises(ValidationError, match="between 0 and 10"):
        services.response_submit(invitation=invitation, score=11)

    assert not Response.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.SENT


# --- Answers and follow-ups ------------------------------------------------------------------


def test_a_detractor_opens_a_follow_up_for_the_account_manager():
    manager = UserFactory(username="margaret")
    manager.groups.add(Group.objects.get(name=roles.MANAGER))
    survey = _survey(follow_up_days=3)
    invitation = _invited(survey=survey, customer=_customer(manager=manager))

    response = services.response_submit(invitation=invitation, score=4, comment="Slow fix")

    follow_up = FollowUp.objects.get()
    assert follow_up.response == response
    assert follow_up.assigned_to == manager
    assert follow_up.due_on == timezone.localdate() + timedelta(days=3)
    assert "NPS 4" in follow_up.reason and "Slow fix" in follow_up.reason


@pytest.mark.parametrize(
    ("kind", "score", "opens"),
    [
        ("nps", 6, True),
        ("nps", 7, False),
        ("csat", 2, True),
        ("csat", 3, False),
        ("ces", 3, True),
        ("ces", 4, False),
    ],
)
def test_only_negative_answers_open_follow_ups(kind, score, opens):
    invitation = _invited(survey=_survey(kind=kind))

    services.response_submit(invitation=invitation, score=score)

    assert FollowUp.objects.exists() is opens


def test_closing_a_follow_up_records_its_outcome_once():
    manager = UserFactory(username="margaret")
    invitation = _invited(customer=_customer(manager=manager))
    services.response_submit(invitation=invitation, score=2)
    follow_up = FollowUp.objects.get()

    services.follow_up_close(
        follow_up=follow_up, outcome="resolved", note="Credit given", actor=manager
    )

    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.outcome, follow_up.closed_by) == (
        "done",
        "resolved",
        manager,
    )
    assert Interaction.objects.filter(kind="retention", summary__contains="Credit given").exists()
    with pytest.raises(ValidationError, match="already closed"):
        services.follow_up_close(follow_up=follow_up, outcome="resolved", note="", actor=manager)


def test_an_answer_asks_for_a_rescore_of_the_customer():
    invitation = _invited()

    services.response_submit(invitation=invitation, score=3)

    assert "survey answered" in RescoreRequest.objects.get(customer=invitation.customer).reasons


def test_opting_out_withdraws_consent_and_closes_the_invitation():
    invitation = _invited()

    services.survey_opt_out(invitation=invitation)

    consent = Consent.objects.get(customer=invitation.customer, channel="email", purpose="surveys")
    assert consent.granted is False
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.OPTED_OUT
    with pytest.raises(services.InvitationClosed):
        services.invitation_check_open(Invitation.objects.get(pk=invitation.pk))


def test_a_bounce_closes_the_invitation_and_is_logged():
    invitation = _invited()

    services.invitation_bounced(invitation=invitation, actor=None)

    assert invitation.status == Invitation.Status.BOUNCED
    assert invitation.customer.action_log.filter(action="survey.bounced").exists()


# --- Versions -------------------------------------------------------------------------------


def test_rewording_makes_a_new_version_and_old_answers_keep_theirs():
    survey = _survey()
    answered = _invited(survey=survey)
    services.response_submit(invitation=answered, score=10)
    wording = {"en": {"question": "Would you recommend our broadband?", "comment": ""}}

    services.survey_update(survey=survey, actor=None, texts_by_language=wording)

    assert survey.versions.count() == 2
    assert Response.objects.get().survey_version.number == 1
    assert services.survey_current_version(survey).texts["en"]["question"].endswith("broadband?")
    with pytest.raises(ValidationError, match="scale cannot change"):
        services.survey_update(survey=survey, actor=None, kind="csat")


def test_saving_the_same_wording_keeps_the_version():
    survey = _survey()
    same = services.survey_current_version(survey).texts

    services.survey_update(survey=survey, actor=None, texts_by_language=same)

    assert survey.versions.count() == 1


def test_a_touch_point_survey_needs_its_interaction_types():
    with pytest.raises(ValidationError, match="interaction types"):
        services.survey_create(
            name="No types", kind="nps", trigger="touch_point", interaction_kinds=[], actor=None
        )


# --- Scheduled work -------------------------------------------------------------------------


def test_relationship_surveys_go_to_consenting_customers_not_invited_lately(
    django_capture_on_commit_callbacks,
):
    survey = _survey(trigger="periodic", period_days=180)
    due = _customer()
    recently_invited = _customer()
    _invited(customer=recently_invited)
    CustomerFactory(status=Customer.Status.ACTIVE, family_name="No consent")

    assert services.relationship_survey_candidates(survey=survey, limit=100) == [due.pk]
    with django_capture_on_commit_callbacks(execute=True):  # the triggers go after commit
        assert relationship_surveys_invite.run() == {survey.name: 1}  # tasks run in-process
    assert Invitation.objects.get(customer=due).touch_point == "relationship"


def test_one_reminder_for_an_unanswered_invitation():
    invitation = _invited(survey=_survey(remind_after_days=5))
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(days=6))
    mail.outbox.clear()

    assert invitations_remind.run() == 1
    assert invitations_remind.run() == 0

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("Reminder")


# --- Results and churn features -------------------------------------------------------------


def test_answers_are_tallied_per_day_and_a_rebuild_agrees():
    survey = _survey()
    for score in (10, 8, 3):
        services.response_submit(
            invitation=_invited(survey=survey, customer=_customer()), score=score
        )
    Invitation.objects.update(created_at=timezone.now() - timedelta(days=40))

    tallies = list(
        DailyResult.objects.values_list(
            "invited", "responded", "positive", "neutral", "negative", "score_sum"
        )
    )
    assert tallies == [(3, 3, 1, 1, 1, 21)]

    services.results_rebuild()

    assert (
        list(
            DailyResult.objects.values_list(
                "invited", "responded", "positive", "neutral", "negative", "score_sum"
            )
        )
        == tallies
    )


def test_unhappy_answers_feed_the_churn_features_as_of_their_day():
    customer = _customer()
    ProductFactory(code="MOB-SAT")
    SubscriptionFactory(customer=customer, start_date=date(2024, 1, 1))
    services.response_submit(invitation=_invited(customer=customer), score=2)
    today = timezone.localdate()

    now = features_as_of(today, ids=[customer.pk]).row(customer.pk)
    before = features_as_of(today - timedelta(days=1), ids=[customer.pk]).row(customer.pk)

    assert (now["survey_answers_365d"], now["negative_answers_365d"]) == (1, 1)
    assert before["survey_answers_365d"] == 0  # no leakage from after the cutoff


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_instant_store_one_answer():
    import threading

    from django.db import connections

    invitation = _invited()
    barrier = threading.Barrier(2)
    outcomes = []

    def submit(score):
        try:
            barrier.wait()
            fresh = Invitation.objects.select_related("survey", "survey_version", "customer").get(
                pk=invitation.pk
            )
            services.response_submit(invitation=fresh, score=score)
            outcomes.append("stored")
        except services.AlreadyAnswered:
            outcomes.append("already answered")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(score,)) for score in (2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already answered", "stored"]
    assert Response.objects.count() == 1
    assert FollowUp.objects.count() == 1
    assert DailyResult.objects.get().responded == 1


def test_opting_out_withdraws_every_channel_once():
    customer = _customer(mobile=True, consent=("email", "sms"))
    invitation = _invited(customer=customer)

    services.survey_opt_out(invitation=invitation)
    services.survey_opt_out(invitation=invitation)  # the page reloaded

    assert not Consent.objects.filter(customer=customer, purpose="surveys", granted=True).exists()
    assert customer.action_log.filter(action="consent.withdrawn").count() == 2  # e-mail, SMS


def test_any_other_address_under_the_survey_pages_says_the_link_does_not_work(client):
    for path in ("/s/a/b/", "/s//", "/s/x/thanks/extra"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
        assert response["Cache-Control"] == "no-store"


def test_merging_two_customers_invited_for_the_same_cause_keeps_both_invitations(settings):
    from customers.identity.services.merge import customers_merge

    onboarding = _survey(trigger="onboarding")
    first, second = _customer(), _customer()
    cause = services.Cause("onboarding", "onboarding", "onboarding")
    _invited(survey=onboarding, customer=first, cause=cause)
    _invited(survey=onboarding, customer=second, cause=cause)

    customers_merge(survivor=first, merged=second, actor=None)

    assert Invitation.objects.filter(customer=first, survey=onboarding).count() == 2


def test_no_reminder_after_the_customer_withdrew_consent():
    invitation = _invited(survey=_survey(remind_after_days=5))
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(days=6))
    consent_record(
        customer=invitation.customer,
        channel="email",
        purpose="surveys",
        granted=False,
        source="call_centre",
        actor=None,
    )
    mail.outbox.clear()

    invitations_remind.run()

    assert mail.outbox == []
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.OPTED_OUT


def test_a_failed_send_is_undone_but_never_reopens_an_answered_invitation():
    sent = _invited()
    services.invitation_send_failed(invitation=sent, reminder=False)
    assert Invitation.objects.get(pk=sent.pk).status == Invitation.Status.PENDING

    answered = _invited(customer=_customer())
    services.response_submit(invitation=answered, score=9)
    services.invitation_send_failed(invitation=answered, reminder=False)
    assert Invitation.objects.get(pk=answered.pk).status == Invitation.Status.RESPONDED


def test_an_invitation_whose_task_was_lost_is_sent_by_the_daily_sweep():
    survey, customer = _survey(), _customer()
    invitation = services.invitation_create(survey=survey, customer=customer, cause=SUPPORT_CLOSED)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )

    invitations_remind.run()

    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.SENT
    assert len(mail.outbox) == 1


def test_relationship_surveys_skip_customers_without_an_address_on_the_consented_channel():
    survey = _survey(trigger="periodic")
    unreachable = _customer(email=False, consent=("email",))
    reachable = _customer()

    candidates = services.relationship_survey_candidates(survey=survey, limit=100)

    assert reachable.pk in candidates and unreachable.pk not in candidates


def test_a_survey_link_without_its_final_slash_still_opens_the_survey(client):
    invitation = _invited()
    token = services.invitation_token(invitation)

    response = client.get(f"/s/{token}", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/s/{token}/"
