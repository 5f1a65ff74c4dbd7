"""Staff and customers never share a session: portal.sessions and the staff rule together."""

from django.conf import settings

from portal import auth
from portal.sessions import PORTAL_COOKIE_NAME
from tests.portal.conftest import portal_session


def test_a_staff_login_does_not_open_the_portal(client, staff_user, ada):
    client.force_login(staff_user)
    response = client.get("/my/")
    assert response.status_code == 302
    assert response["Location"] == "/my/sign-in/"
    assert client.get("/my/invoices/").status_code == 302


def test_a_staff_session_key_in_the_portal_cookie_opens_nothing(client, staff_user, ada):
    client.force_login(staff_user)
    client.cookies[PORTAL_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/my/").status_code == 302


def test_a_portal_session_does_not_open_staff_pages(signed_in, ada):
    client = signed_in()
    for path in ("/", "/customers/", f"/customers/{ada.number}/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "login" in response["Location"], path


def test_a_portal_session_key_in_the_staff_cookie_opens_no_staff_page(signed_in, ada):
    client = signed_in()
    client.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[PORTAL_COOKIE_NAME].value
    response = client.get("/customers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_portal_cookie_is_sent_only_to_the_portal(signed_in, ada):
    client = signed_in()
    assert client.cookies[PORTAL_COOKIE_NAME]["path"] == "/my/"
    assert settings.SESSION_COOKIE_NAME not in client.cookies


def test_signing_in_to_the_portal_leaves_the_staff_session_alone(
    client, staff_user, ada, signed_in
):
    client.force_login(staff_user)
    staff_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    signed_in()
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == staff_key
    assert client.session["_auth_user_id"] == str(staff_user.pk)
    assert auth.CUSTOMER_KEY not in client.session
    assert portal_session(client)[auth.CUSTOMER_KEY] == ada.pk
    # And signing out of the portal does not sign the staff member out.
    client.post("/my/sign-out/")
    assert client.session["_auth_user_id"] == str(staff_user.pk)


def test_staff_sign_in_still_works_with_the_portal_middleware(client, staff_user):
    response = client.post(
        "/login/", {"username": staff_user.username, "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_user.pk)
    assert PORTAL_COOKIE_NAME not in client.cookies
