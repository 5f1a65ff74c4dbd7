"""The sign-in pages: the same answer for every address, codes entered, CSRF, languages."""

import re

import pytest
from django.test import Client

from portal import auth
from portal.models import PortalSignIn, SignInCode
from portal.sessions import PORTAL_COOKIE_NAME
from tests.portal.conftest import ADA_EMAIL, ask_for_code, code_in, enter_code, portal_session

Outcome = PortalSignIn.Outcome


def _page_after_asking(client, address: str) -> str:
    """The page after asking for a code, without its CSRF token (different on every page)."""
    response = ask_for_code(client, address)
    assert response.status_code == 303
    html = client.get(response["Location"]).content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_known_and_an_unknown_address_see_the_same_page(ada, customer_like, mailoutbox):
    customer_like(email="unverified@example.com", verified=False)
    known = _page_after_asking(Client(), ADA_EMAIL)
    unknown = _page_after_asking(Client(), "stranger@example.com")
    unverified = _page_after_asking(Client(), "unverified@example.com")
    assert known == unknown == unverified
    assert len(mailoutbox) == 1


def test_a_throttled_address_sees_the_same_page_too(ada, mailoutbox):
    pages = {_page_after_asking(Client(), ADA_EMAIL) for _ in range(4)}
    assert len(pages) == 1
    assert len(mailoutbox) == 3


def test_what_is_not_an_address_is_refused_with_the_reason(client, db):
    response = ask_for_code(client, "hello")
    assert response.status_code == 400
    assert "Enter an e-mail address" in response.content.decode()


def test_the_right_code_signs_in_with_a_new_session_key(client, ada, mailoutbox):
    ask_for_code(client, ADA_EMAIL)
    key_before = client.cookies[PORTAL_COOKIE_NAME].value
    response = enter_code(client, code_in(mailoutbox[0]))
    assert response.status_code == 303
    assert response["Location"] == "/my/"
    assert client.cookies[PORTAL_COOKIE_NAME].value != key_before
    assert portal_session(client)[auth.CUSTOMER_KEY] == ada.pk
    assert ada.party.display_name in client.get("/my/").content.decode()


def test_a_wrong_code_is_refused_on_the_page_and_logged(client, ada, mailoutbox):
    ask_for_code(client, ADA_EMAIL)
    code = code_in(mailoutbox[0])
    response = enter_code(client, f"{(int(code) + 1) % 1_000_000:06d}")
    assert response.status_code == 400
    assert "This code is wrong or no longer valid" in response.content.decode()
    assert PortalSignIn.objects.filter(outcome=Outcome.WRONG_CODE, customer=ada).exists()
    assert client.get("/my/").status_code == 302


def test_the_code_page_without_an_address_sends_back_to_the_first_step(client, db):
    response = client.get("/my/sign-in/code/")
    assert response.status_code == 302
    assert response["Location"] == "/my/sign-in/"
    assert "Please enter your e-mail address" in client.get("/my/sign-in/").content.decode()


def test_the_code_may_be_typed_with_a_space(client, ada, mailoutbox):
    ask_for_code(client, ADA_EMAIL)
    code = code_in(mailoutbox[0])
    assert enter_code(client, f"{code[:3]} {code[3:]}").status_code == 303


def test_a_mail_server_failure_is_explained_not_a_server_error(client, ada, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    response = ask_for_code(client, ADA_EMAIL)
    assert response.status_code == 503
    assert "We could not send a code just now" in response.content.decode()


def test_sign_out_ends_the_session_and_is_logged(signed_in, ada):
    client = signed_in()
    response = client.post("/my/sign-out/")
    assert response.status_code == 303
    assert auth.CUSTOMER_KEY not in portal_session(client)
    assert client.get("/my/").status_code == 302
    assert "You have signed out" in client.get("/my/sign-in/").content.decode()
    assert PortalSignIn.objects.filter(outcome=Outcome.SIGNED_OUT, customer=ada).exists()


def test_sign_out_is_a_post(signed_in, ada):
    client = signed_in()
    assert client.get("/my/sign-out/").status_code == 405


def test_a_session_idle_for_thirty_minutes_is_signed_out(signed_in, ada):
    client = signed_in()
    session = portal_session(client)
    session[auth.LAST_SEEN_AT] -= auth.IDLE_LIMIT_SECONDS + 1
    session.save()
    response = client.get("/my/")
    assert response.status_code == 302
    assert "Your session has ended" in client.get("/my/sign-in/").content.decode()


def test_the_portal_cookie_expires_with_the_idle_limit(signed_in, ada):
    client = signed_in()
    cookie = client.cookies[PORTAL_COOKIE_NAME]
    assert int(cookie["max-age"]) == auth.IDLE_LIMIT_SECONDS
    assert cookie["path"] == "/my/"
    assert cookie["httponly"]


def test_a_customer_terminated_meanwhile_is_signed_out(signed_in, ada):
    from customers.models import Customer

    client = signed_in()
    Customer.objects.filter(pk=ada.pk).update(status=Customer.Status.TERMINATED)
    assert client.get("/my/").status_code == 302
    assert auth.CUSTOMER_KEY not in portal_session(client)


# --- CSRF -------------------------------------------------------------------------------------


@pytest.fixture
def strict_client():
    return Client(enforce_csrf_checks=True)


def test_the_address_form_needs_its_csrf_token(strict_client, ada, mailoutbox):
    assert ask_for_code(strict_client, ADA_EMAIL).status_code == 403
    assert mailoutbox == []


def test_the_code_form_needs_its_csrf_token(strict_client, ada, mailoutbox):
    page = strict_client.get("/my/sign-in/")
    token = page.context["csrf_token"]
    strict_client.post("/my/sign-in/", {"address": ADA_EMAIL, "csrfmiddlewaretoken": token})
    response = strict_client.post("/my/sign-in/code/", {"code": code_in(mailoutbox[0])})
    assert response.status_code == 403
    assert not SignInCode.objects.filter(used_at__isnull=False).exists()


def test_the_sign_out_form_needs_its_csrf_token(strict_client, ada, mailoutbox):
    token = strict_client.get("/my/sign-in/").context["csrf_token"]
    strict_client.post("/my/sign-in/", {"address": ADA_EMAIL, "csrfmiddlewaretoken": token})
    token = strict_client.get("/my/sign-in/code/").context["csrf_token"]
    signed = strict_client.post(
        "/my/sign-in/code/", {"code": code_in(mailoutbox[0]), "csrfmiddlewaretoken": token}
    )
    assert signed.status_code == 303
    assert strict_client.post("/my/sign-out/").status_code == 403
    assert strict_client.get("/my/").status_code == 200


# --- Languages --------------------------------------------------------------------------------


def test_before_sign_in_the_browser_language_picks_the_words(client, db):
    page = client.get("/my/sign-in/", headers={"accept-language": "fr-CH, de;q=0.8"})
    html = page.content.decode()
    assert '<html lang="fr">' in html
    assert "Connexion à votre compte" in html


def test_a_language_the_portal_does_not_speak_falls_back_to_english(client, db):
    html = client.get("/my/sign-in/", headers={"accept-language": "ja"}).content.decode()
    assert '<html lang="en">' in html


def test_after_sign_in_the_customers_language_wins_over_the_browser(
    client, customer_like, mailoutbox
):
    customer_like(email="dora@example.com", language="de")
    ask_for_code(client, "dora@example.com", accept_language="es")
    enter_code(client, code_in(mailoutbox[0]))
    html = client.get("/my/", headers={"accept-language": "es"}).content.decode()
    assert '<html lang="de">' in html
    assert "Kundennummer" in html


def test_the_session_of_a_code_asked_for_is_as_short_as_a_signed_in_one(client, ada, mailoutbox):
    ask_for_code(client, ADA_EMAIL)
    assert int(client.cookies[PORTAL_COOKIE_NAME]["max-age"]) == auth.IDLE_LIMIT_SECONDS
