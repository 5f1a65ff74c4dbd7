"""The customer's survey pages, reached from the invitation link without logging in."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import Consent
from satisfaction import services
from satisfaction.models import FollowUp, Invitation, Response

pytestmark = pytest.mark.django_db


def answer_url(invitation):
    return reverse("survey:answer", args=[services.invitation_token(invitation)])


def thanks_url(invitation):
    return reverse("survey:thanks", args=[services.invitation_token(invitation)])


def opt_out_url(invitation):
    return reverse("survey:opt_out", args=[services.invitation_token(invitation)])


def test_the_form_shows_the_question_and_the_nps_scale(client, invitation):
    response = client.get(answer_url(invitation))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert "How likely are you to recommend us to a friend or colleague?" in page
    assert page.count('type="radio" name="score"') == 11
    assert 'id="score-0"' in page and 'id="score-10"' in page
    assert "Not at all likely" in page and "Extremely likely" in page
    assert "What is the main reason for your answer?" in page
    assert "csrfmiddlewaretoken" in page
    assert 'name="viewport"' in page
    assert "<script" not in page and "style=" not in page  # the CSP allows neither inline
    assert "Log out" not in page  # not the staff layout


def test_the_form_speaks_the_customers_language(
    client, make_consenting_customer, nps_survey, invite
):
    customer = make_consenting_customer(language="de")
    invitation = invite(nps_survey, customer)

    page = client.get(answer_url(invitation)).content.decode()

    assert '<html lang="de">' in page
    assert "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?" in page
    assert "Überhaupt nicht wahrscheinlich" in page
    assert "Antwort senden" in page
    assert "Keine Umfragen mehr senden" in page


@pytest.mark.parametrize(
    ("survey", "low", "high", "ends"),
    [
        ("csat_survey", 1, 5, ("Very dissatisfied", "Very satisfied")),
        ("ces_survey", 1, 7, ("Strongly disagree", "Strongly agree")),
    ],
)
def test_csat_and_ces_show_their_own_scale(
    client, request, consenting_customer, invite, survey, low, high, ends
):
    invitation = invite(request.getfixturevalue(survey), consenting_customer)

    page = client.get(answer_url(invitation)).content.decode()

    assert page.count('type="radio" name="score"') == high - low + 1
    assert f'id="score-{low}"' in page and f'id="score-{high}"' in page
    assert f'id="score-{low - 1}"' not in page and f'id="score-{high + 1}"' not in page
    assert all(end in page for end in ends)


def test_the_pages_are_neither_cached_nor_indexed(client, invitation):
    for url in (answer_url(invitation), opt_out_url(invitation), "/s/not-a-token/"):
        response = client.get(url)
        assert response["Cache-Control"] == "no-store", url
        assert response["X-Robots-Tag"] == "noindex", url


def test_a_link_checker_opening_the_links_changes_nothing(client, invitation):
    for url in (answer_url(invitation), opt_out_url(invitation)):
        assert client.head(url).status_code == 200
        assert client.get(url).status_code == 200

    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT
    assert Consent.objects.get(customer=invitation.customer, purpose="surveys").granted
    assert not Response.objects.exists()


def test_an_answer_is_stored_once_and_leads_to_the_thanks_page(client, invitation):
    response = client.post(answer_url(invitation), {"score": "9", "comment": "  Quick fix  "})

    assert response.status_code == 303
    assert response["Location"] == thanks_url(invitation)
    answer = Response.objects.get()
    assert (answer.invitation, answer.score, answer.comment) == (invitation, 9, "Quick fix")
    assert answer.sentiment == "positive"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.RESPONDED

    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you for your answer." in thanks.content.decode()


def test_a_second_submission_shows_already_answered_and_stores_nothing(client, invitation):
    client.post(answer_url(invitation), {"score": "9"})

    again = client.post(answer_url(invitation), {"score": "2"})

    assert again.status_code == 200
    assert "This survey has already been answered." in again.content.decode()
    assert Response.objects.get().score == 9
    opened_again = client.get(answer_url(invitation))
    assert "This survey has already been answered." in opened_again.content.decode()


def test_a_submission_racing_another_shows_already_answered(client, invitation, monkeypatch):
    """The other request stored its answer between this one's check and its write."""
    real_check = services.invitation_check_open
    calls = []

    def check_then_lose_the_race(invitation_to_check):
        real_check(invitation_to_check)
        if not calls:
            calls.append(1)
            services.response_submit(invitation=Invitation.objects.get(pk=invitation.pk), score=10)

    monkeypatch.setattr(services, "invitation_check_open", check_then_lose_the_race)

    response = client.post(answer_url(invitation), {"score": "3"})

    assert response.status_code == 200
    assert "This survey has already been answered." in response.content.decode()
    assert Response.objects.get().score == 10


def test_a_low_score_opens_a_follow_up_for_the_account_manager(client, invitation, manager):
    client.post(answer_url(invitation), {"score": "3", "comment": "Waited two hours"})

    follow_up = FollowUp.objects.get()
    assert follow_up.assigned_to == manager
    assert "NPS 3" in follow_up.reason and "Waited two hours" in follow_up.reason


@pytest.mark.parametrize("score", ["11", "-1", "", "seven", "3.5"])
def test_a_score_off_the_nps_scale_is_refused(client, invitation, score):
    response = client.post(answer_url(invitation), {"score": score, "comment": "Kept for you"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a score." in page
    assert "Kept for you" in page  # what the customer typed comes back
    assert not Response.objects.exists()


def test_a_missing_score_keeps_the_comment_and_answers_in_german(
    client, make_consenting_customer, nps_survey, invite
):
    invitation = invite(nps_survey, make_consenting_customer(language="de"))

    response = client.post(answer_url(invitation), {"comment": "Schnell & freundlich"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Bitte wählen Sie einen Wert." in page
    assert "Schnell &amp; freundlich" in page
    assert not Response.objects.exists()


def test_zero_is_off_the_csat_scale(client, consenting_customer, csat_survey, invite):
    invitation = invite(csat_survey, consenting_customer)

    response = client.post(answer_url(invitation), {"score": "0"})

    assert response.status_code == 400
    assert "Choose a score." in response.content.decode()
    assert not Response.objects.exists()


def test_a_picked_score_stays_picked_when_the_form_comes_back(client, invitation):
    too_long = "x" * (services.COMMENT_MAX + 1)

    response = client.post(answer_url(invitation), {"score": "7", "comment": too_long})

    assert response.status_code == 400
    assert 'value="7" required checked' in response.content.decode()
    assert not Response.objects.exists()


def test_follow_up_questions_are_asked_and_stored(client, consenting_customer, invite):
    survey = services.survey_create(
        name="Support NPS with questions",
        kind="nps",
        trigger="touch_point",
        interaction_kinds=["support"],
        actor=None,
        texts_by_language={
            "en": {
                "question": "Would you recommend us?",
                "comment": "Why?",
                "follow_ups": ["Which shop did you visit?", "Anything else?"],
            }
        },
    )
    invitation = invite(survey, consenting_customer)

    page = client.get(answer_url(invitation)).content.decode()
    assert "Which shop did you visit?" in page and "Anything else?" in page
    client.post(answer_url(invitation), {"score": "10", "follow_up_0": "Leeds"})

    assert Response.objects.get().follow_up_answers == ["Leeds", ""]


def test_a_changed_link_says_it_does_not_work(client, invitation):
    token = services.invitation_token(invitation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(reverse("survey:answer", args=[tampered]))

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert client.post(reverse("survey:answer", args=[tampered]), {"score": "9"}).status_code == 404
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "..",
        "x" * 5000,
        ":",
        "1:",
        "1:abc:def",
        "%00",
        "%FF%FE",
        "é:ü",
        # Signed tokens carry the time they were made: named, so that every test process
        # collects the same test ids.
        pytest.param(signing.dumps(1, salt="another.salt"), id="signed-for-another-purpose"),
        pytest.param(
            signing.dumps("1", salt="satisfaction.invitation", key="not-our-secret-key" * 3),
            id="signed-with-another-key",
        ),
    ],
)
@pytest.mark.parametrize("page", ["answer", "answer_post", "thanks", "opt_out", "opt_out_post"])
def test_any_odd_token_gets_the_link_does_not_work_page(client, invitation, token, page):
    name, method = page.removesuffix("_post"), "post" if page.endswith("_post") else "get"
    url = f"/s/{token}/" + {"answer": "", "thanks": "thanks/", "opt_out": "opt-out/"}[name]

    response = getattr(client, method)(url, {"score": "9"} if method == "post" else None)

    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()
    assert not Response.objects.exists()


@pytest.mark.parametrize("path", ["/s//", "/s/../", "/s/%2E%2E%2F/", "/s/a/b/c/"])
def test_an_address_that_is_no_token_at_all_is_not_found(client, path):
    assert client.get(path).status_code == 404


def test_the_link_does_not_work_page_follows_the_browser_language(client):
    response = client.get("/s/abc/", headers={"accept-language": "fr-CH, fr;q=0.9, en;q=0.8"})

    assert '<html lang="fr">' in response.content.decode()
    assert "Ce lien ne fonctionne pas" in response.content.decode()


def test_an_expired_invitation_shows_the_closed_page(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )

    response = client.get(answer_url(invitation))
    submitted = client.post(answer_url(invitation), {"score": "9"})

    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert submitted.status_code == 410
    assert not Response.objects.exists()


def test_the_thanks_page_before_an_answer_leads_to_the_form(client, invitation):
    response = client.get(thanks_url(invitation))

    assert response.status_code == 302
    assert response["Location"] == answer_url(invitation)


def test_the_thanks_page_speaks_the_customers_language(
    client, make_consenting_customer, nps_survey, invite
):
    invitation = invite(nps_survey, make_consenting_customer(language="es"))
    client.post(answer_url(invitation), {"score": "10"})

    page = client.get(thanks_url(invitation)).content.decode()

    assert '<html lang="es">' in page
    assert "Gracias por su respuesta." in page


def test_opting_out_withdraws_the_consent_and_closes_the_invitation(client, invitation):
    confirm = client.get(opt_out_url(invitation))
    assert confirm.status_code == 200
    assert "Stop sending me surveys" in confirm.content.decode()
    assert Consent.objects.get(customer=invitation.customer, purpose="surveys").granted

    response = client.post(opt_out_url(invitation))

    assert response.status_code == 200
    assert (
        "You will not receive satisfaction surveys from us any more." in response.content.decode()
    )
    consent = Consent.objects.get(
        customer=invitation.customer, purpose="surveys", channel=invitation.channel
    )
    assert consent.granted is False
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPTED_OUT
    closed = client.get(answer_url(invitation))
    assert closed.status_code == 410
    assert "This survey has closed" in closed.content.decode()


def test_a_customer_can_opt_out_after_answering(client, invitation):
    client.post(answer_url(invitation), {"score": "8"})

    client.post(opt_out_url(invitation))

    assert not Consent.objects.get(customer=invitation.customer, purpose="surveys").granted
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.RESPONDED


def test_the_invitation_email_carries_the_link_question_and_unsubscribe(
    make_consenting_customer, nps_survey, invite
):
    customer = make_consenting_customer(language="de", given_name="Jürgen", family_name="O'Brien")
    mail.outbox.clear()

    invitation = invite(nps_survey, customer)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    link, opt_out = services.invitation_link(invitation), services.opt_out_link(invitation)
    html = message.alternatives[0].content
    question = "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?"
    assert message.to == [invitation.address]
    assert message.subject == "Wie zufrieden waren Sie?"
    assert link in message.body and link in html
    assert question in message.body and question in html
    assert f"Keine Umfragen mehr: {opt_out}" in message.body
    assert f'href="{opt_out}"' in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{opt_out}>"
    assert "Guten Tag Jürgen O'Brien," in message.body  # plain text is not HTML-escaped
    assert "Jürgen O&#x27;Brien" in html and "O'Brien" not in html
    assert '<html lang="de">' in html


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_store_one_answer(invitation):
    """Two tabs, one click each: one answer is stored, the other page says already answered."""
    url, start = answer_url(invitation), Barrier(2)

    def submit(score):
        try:
            start.wait()
            return Client().post(url, {"score": score})
        finally:
            connection.close()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(submit, ["3", "9"]))

    assert sorted(r.status_code for r in results) == [200, 303]
    assert "This survey has already been answered." in next(
        r.content.decode() for r in results if r.status_code == 200
    )
    assert Response.objects.count() == 1
