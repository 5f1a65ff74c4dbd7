"""Errors on the public pages (survey links, the partner application) are explained in the
visitor's language and the public look; staff pages keep the staff pages."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from crm import public_errors
from customers.models import Partner
from satisfaction import services
from satisfaction.models import Invitation, Response

pytestmark = pytest.mark.django_db

GERMAN_CSRF = "Das Formular konnte nicht gesendet werden"


def answer_url(invitation):
    return reverse("survey:answer", args=[services.invitation_token(invitation)])


@pytest.fixture
def cookieless():
    """A browser that blocks cookies: it never sends the CSRF cookie back."""
    return Client(enforce_csrf_checks=True)


def assert_public_page(response, language: str):
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert "css/survey.css" in page
    assert "Log out" not in page and "CSRF verification failed" not in page
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert "<script" not in page and "style=" not in page  # the CSP allows neither inline


def test_an_answer_sent_without_the_cookie_is_explained_in_the_surveys_language(
    cookieless, make_consenting_customer, nps_survey, invite
):
    invitation = invite(nps_survey, make_consenting_customer(language="de"))
    url = answer_url(invitation)

    response = cookieless.post(url, {"score": "9"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 403
    assert_public_page(response, "de")
    page = response.content.decode()
    assert GERMAN_CSRF in page
    assert "erlauben Sie Cookies für diese Website" in page
    assert f'<a class="send" href="{url}">Seite erneut öffnen</a>' in page
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_an_opt_out_sent_without_the_cookie_gets_the_same_page(
    cookieless, make_consenting_customer, nps_survey, invite
):
    invitation = invite(nps_survey, make_consenting_customer(language="es"))
    url = reverse("survey:opt_out", args=[services.invitation_token(invitation)])

    response = cookieless.post(url)

    assert response.status_code == 403
    assert_public_page(response, "es")
    assert "No se pudo enviar el formulario" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT


def test_a_link_that_leads_to_no_invitation_speaks_the_browsers_language(cookieless):
    response = cookieless.post(
        "/s/not-a-token/", {"score": "9"}, HTTP_ACCEPT_LANGUAGE="fr-CH, fr;q=0.9, en;q=0.8"
    )

    assert response.status_code == 403
    assert_public_page(response, "fr")
    assert "Le formulaire n'a pas pu être envoyé" in response.content.decode().replace(
        "&#x27;", "'"
    )


def test_the_partner_application_sent_without_the_cookie_is_explained_and_records_nothing(
    cookieless,
):
    response = cookieless.post(
        reverse("partner_apply"),
        {"name": "Blue MVNO", "contact_name": "Dana", "contact_email": "dana@blue.example"},
        HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9",
    )

    assert response.status_code == 403
    assert_public_page(response, "de")
    assert GERMAN_CSRF in response.content.decode()
    assert not Partner.objects.exists()


def test_a_language_the_pages_do_not_speak_falls_back_to_english(cookieless):
    response = cookieless.post(reverse("partner_apply"), {}, HTTP_ACCEPT_LANGUAGE="ja")

    assert_public_page(response, "en")
    assert "The form could not be sent" in response.content.decode()
    assert "allow cookies for this site" in response.content.decode()


def test_a_staff_form_sent_without_the_cookie_keeps_the_staff_page(cookieless):
    response = cookieless.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "CSRF verification failed" in response.content.decode()
    assert "survey.css" not in response.content.decode()


def test_an_unknown_address_under_a_public_page_is_a_public_404(client):
    response = client.get(reverse("partner_apply") + "nothing-here/", HTTP_ACCEPT_LANGUAGE="es")

    assert response.status_code == 404
    assert_public_page(response, "es")
    assert "Página no encontrada" in response.content.decode()


def test_an_unknown_staff_address_keeps_the_staff_404(client):
    response = client.get("/nothing-here/")

    assert response.status_code == 404
    assert "Back to the customer list" in response.content.decode()
    assert "survey.css" not in response.content.decode()


def test_a_failure_on_a_survey_page_is_explained_without_touching_the_database(
    invitation, django_assert_num_queries
):
    request = RequestFactory().get(answer_url(invitation), HTTP_ACCEPT_LANGUAGE="de")

    with django_assert_num_queries(0):
        response = public_errors.server_error(request)

    assert response.status_code == 500
    assert_public_page(response, "de")
    assert "Bei uns ist ein Fehler aufgetreten" in response.content.decode()


def test_a_request_that_cannot_be_read_on_a_public_page_is_a_public_400():
    request = RequestFactory().post(reverse("partner_apply"), HTTP_ACCEPT_LANGUAGE="fr")

    response = public_errors.bad_request(request, exception=None)

    assert response.status_code == 400
    assert_public_page(response, "fr")
    assert reverse("partner_apply") in response.content.decode()


def test_the_partner_api_keeps_its_tmf_error_bodies(client):
    response = client.get("/tmf-api/customerManagement/v5/nothing-here")

    assert response.status_code == 404
    assert response.json()["@type"] == "Error"
