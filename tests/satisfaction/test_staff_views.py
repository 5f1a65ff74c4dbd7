"""Staff pages of satisfaction: survey definitions, the follow-up work list and the customer
page's survey history, each behind its permission."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from satisfaction import services
from satisfaction.models import FollowUp, Survey

pytestmark = pytest.mark.django_db


def _survey_form(**overrides) -> dict:
    data = {
        "name": "Billing CSAT",
        "kind": "csat",
        "trigger": "touch_point",
        "interaction_kinds": ["billing"],
        "period_days": 180,
        "expires_after_days": 14,
        "remind_after_days": 5,
        "follow_up_days": 3,
        "is_active": "on",
        "question_en": "How satisfied are you with how we handled your bill?",
        "comment_en": "What could we do better?",
        "follow_ups_en": "Was your bill correct?\nWas it clear?",
        "question_de": "Wie zufrieden sind Sie mit der Bearbeitung Ihrer Rechnung?",
    }
    return {**data, **overrides}


def test_a_manager_defines_a_survey_with_its_wording_per_language(client, manager):
    client.force_login(manager)

    response = client.post(reverse("satisfaction:survey_create"), _survey_form())

    assert response.status_code == 302
    survey = Survey.objects.get(name="Billing CSAT")
    version = services.survey_current_version(survey)
    assert survey.interaction_kinds == ["billing"]
    assert set(version.texts) == {"en", "de"}
    assert version.texts["en"]["follow_ups"] == ["Was your bill correct?", "Was it clear?"]


def test_a_touch_point_survey_without_interaction_types_is_a_form_error(client, manager):
    client.force_login(manager)

    response = client.post(
        reverse("satisfaction:survey_create"), _survey_form(interaction_kinds=[])
    )

    assert response.status_code == 200
    assert "Choose the interaction types" in response.content.decode()
    assert not Survey.objects.exists()


def test_rewording_in_the_form_makes_a_new_version_and_the_scale_stays(client, manager):
    client.force_login(manager)
    client.post(reverse("satisfaction:survey_create"), _survey_form())
    survey = Survey.objects.get()

    client.post(
        reverse("satisfaction:survey_edit", args=[survey.pk]),
        _survey_form(kind="nps", question_en="Was your bill handled well?"),
    )

    survey.refresh_from_db()
    assert survey.kind == "csat"  # the disabled field keeps its value
    assert survey.versions.count() == 2
    page = client.get(reverse("satisfaction:survey_edit", args=[survey.pk])).content.decode()
    assert "v2" in page and "Was your bill handled well?" in page


def test_agents_see_surveys_but_may_not_define_them(client, agent):
    client.force_login(agent)

    assert client.get(reverse("satisfaction:surveys")).status_code == 200
    assert client.get(reverse("satisfaction:survey_create")).status_code == 403
    assert client.post(reverse("satisfaction:survey_create"), _survey_form()).status_code == 403


def test_the_follow_up_list_shows_mine_and_the_overdue(
    client, manager, invitation, make_consenting_customer, invite, nps_survey
):
    services.response_submit(invitation=invitation, score=2, comment="Still no signal")
    other = invite(nps_survey, make_consenting_customer(), key="interaction:2")
    services.response_submit(invitation=other, score=0)
    FollowUp.objects.filter(customer=other.customer).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(manager)

    mine = client.get(reverse("satisfaction:follow_ups")).content.decode()
    overdue = client.get(reverse("satisfaction:follow_ups"), {"show": "overdue"}).content.decode()

    assert "Still no signal" in mine and other.customer.number not in mine
    assert other.customer.number in overdue and "overdue" in overdue
    assert invitation.customer.number not in overdue


def test_recording_the_outcome_closes_the_follow_up(client, manager, invitation):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()
    client.force_login(manager)

    bad = client.post(reverse("satisfaction:follow_up_close", args=[follow_up.pk]), {})
    good = client.post(
        reverse("satisfaction:follow_up_close", args=[follow_up.pk]),
        {"outcome": "resolved", "note": "Technician booked"},
    )

    assert bad.status_code == 200 and "This field is required" in bad.content.decode()
    assert good.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.note, follow_up.closed_by) == (
        "done",
        "Technician booked",
        manager,
    )


def test_analysts_see_follow_ups_but_do_not_record_outcomes(client, analyst, invitation):
    services.response_submit(invitation=invitation, score=3)
    follow_up = FollowUp.objects.get()
    client.force_login(analyst)

    assert client.get(reverse("satisfaction:follow_ups")).status_code == 200
    closing = reverse("satisfaction:follow_up_close", args=[follow_up.pk])
    assert client.post(closing, {"outcome": "resolved"}).status_code == 403


def test_the_customer_page_shows_survey_history_and_open_follow_ups(client, manager, invitation):
    services.response_submit(invitation=invitation, score=4, comment="Took three calls")
    client.force_login(manager)

    page = client.get(invitation.customer.get_absolute_url()).content.decode()

    assert "Satisfaction" in page
    assert "Support NPS" in page and "Took three calls" in page
    assert 'title="Negative">NPS 4</span>' in page
    assert "Survey follow-ups" in page and "Record outcome" in page
