"""The pages where a customer changes their details and asks things of us: each form is
CSRF-protected, each id is looked up among the customer's own rows, and a refusal is a message,
never an error page."""

import pytest
from django.core import mail
from django.test import Client

from customers.models import ActionLog, Interaction
from customers.services.interactions import interaction_resolve
from portal.models import SignInCode
from portal.sessions import PORTAL_COOKIE_NAME
from privacy.models import ErasureRequest
from tests.portal.conftest import ADA_EMAIL, ADA_TWIN_EMAIL, OTTO_EMAIL, code_in

NEW_EMAIL = "ada.new@example.org"
NEW_PAGES = (
    "/my/contact/",
    "/my/contact/add/",
    "/my/preferences/",
    "/my/consents/",
    "/my/interactions/new/",
    "/my/statements/",
    "/my/data/",
)


def _email_of(customer):
    return customer.party.contact_media.get(kind="email")


def test_every_new_page_asks_a_visitor_to_sign_in_first(client, db):
    for path in NEW_PAGES:
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, "/my/sign-in/"), path


def test_every_new_page_opens_for_the_customer_in_their_language(signed_in, ada):
    client = signed_in()
    for path in NEW_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_every_new_form_refuses_a_post_without_its_csrf_token(signed_in, ada, otto):
    client = signed_in()
    forms = Client(enforce_csrf_checks=True)
    forms.cookies[PORTAL_COOKIE_NAME] = client.cookies[PORTAL_COOKIE_NAME].value
    posts = {
        "/my/contact/add/": {"address": NEW_EMAIL},
        f"/my/contact/{_email_of(ada).pk}/change/": {"address": NEW_EMAIL},
        "/my/contact/code/": {"code": "123456"},
        "/my/preferences/": {"language": "de"},
        "/my/consents/": {"channel": "email", "purpose": "marketing", "granted": "yes"},
        "/my/interactions/new/": {"kind": "complaint", "summary": "Slow"},
        "/my/data/export/": {},
        "/my/data/forget/": {"reason": "Forget me"},
    }
    logged = ActionLog.objects.filter(customer=ada).count()
    for path, data in posts.items():
        assert forms.post(path, data).status_code == 403, path
    assert forms.get("/my/contact/").status_code == 200  # the session itself works
    assert ActionLog.objects.filter(customer=ada).count() == logged
    assert not SignInCode.objects.filter(purpose="contact").exists()


def test_a_new_email_is_saved_once_the_code_sent_to_it_is_entered(signed_in, ada):
    client = signed_in()
    response = client.post(f"/my/contact/{_email_of(ada).pk}/change/", {"address": NEW_EMAIL})
    assert (response.status_code, response["Location"]) == (303, "/my/contact/code/")
    assert mail.outbox[-1].to == [NEW_EMAIL]
    page = client.get("/my/contact/code/").content.decode()
    assert NEW_EMAIL in page
    response = client.post("/my/contact/code/", {"code": code_in(mail.outbox[-1])})
    assert (response.status_code, response["Location"]) == (303, "/my/contact/")
    page = client.get("/my/contact/").content.decode()
    assert "Your contact details are saved." in page and NEW_EMAIL in page
    assert _email_of(ada).value == NEW_EMAIL


def test_a_wrong_code_is_said_to_be_wrong_and_changes_nothing(signed_in, ada):
    client = signed_in()
    client.post("/my/contact/add/", {"address": NEW_EMAIL})
    code = code_in(mail.outbox[-1])
    response = client.post("/my/contact/code/", {"code": f"{(int(code) + 1) % 10**6:06d}"})
    assert response.status_code == 400
    assert "This code is wrong or no longer valid" in response.content.decode()
    assert not ada.party.contact_media.filter(value=NEW_EMAIL).exists()


def test_a_code_entered_a_second_time_changes_nothing_more(signed_in, ada):
    client = signed_in()
    client.post("/my/contact/add/", {"address": NEW_EMAIL})
    code = code_in(mail.outbox[-1])
    assert client.post("/my/contact/code/", {"code": code}).status_code == 303
    # Without a pending address the code page sends the customer back to their details.
    assert client.post("/my/contact/code/", {"code": code}).status_code == 302
    assert SignInCode.objects.get(purpose="contact").used_at is not None


def test_an_address_of_another_customer_of_the_same_name_is_refused_with_a_message(
    signed_in, ada, ada_twin
):
    client = signed_in()
    client.post(f"/my/contact/{_email_of(ada).pk}/change/", {"address": ADA_TWIN_EMAIL})
    response = client.post("/my/contact/code/", {"code": code_in(mail.outbox[-1])})
    assert response.status_code == 409
    assert "it belongs to another customer" in response.content.decode()
    assert _email_of(ada).value == ADA_EMAIL


def test_an_address_the_customer_holds_already_is_refused_on_the_form(signed_in, ada):
    response = signed_in().post("/my/contact/add/", {"address": ADA_EMAIL.upper()})
    assert response.status_code == 400
    assert "already one of your contact details" in response.content.decode()


def test_another_customers_contact_cannot_be_changed(signed_in, ada, otto):
    otto_email = _email_of(otto)
    client = signed_in()
    assert client.get(f"/my/contact/{otto_email.pk}/change/").status_code == 404
    response = client.post(f"/my/contact/{otto_email.pk}/change/", {"address": NEW_EMAIL})
    assert response.status_code == 404
    assert _email_of(otto).value == OTTO_EMAIL


def test_preferences_are_saved_and_the_pages_speak_the_new_language(signed_in, ada):
    client = signed_in()
    response = client.post(
        "/my/preferences/",
        {
            "language": "de",
            "preferred_channel": "sms",
            "contact_time_from": "09:00",
            "contact_time_to": "18:00",
            "contact_on_weekends": "on",
            "statement_format": "portal",
            "statement_frequency": "quarterly",
        },
    )
    assert response.status_code == 303
    page = client.get("/my/preferences/").content.decode()
    assert "Ihre Einstellungen sind gespeichert." in page
    ada.preferences.refresh_from_db()
    assert ada.preferences.statement_frequency == "quarterly"
    assert ada.preferences.itemised_statement is False


def test_an_empty_contact_window_is_a_form_error(signed_in, ada):
    response = signed_in().post(
        "/my/preferences/",
        {
            "language": "en",
            "preferred_channel": "email",
            "contact_time_from": "09:00",
            "contact_time_to": "09:00",
            "statement_format": "email",
            "statement_frequency": "monthly",
        },
    )
    assert response.status_code == 400
    assert "Give two different times" in response.content.decode()


def test_a_consent_is_withdrawn_and_its_history_shown(signed_in, ada):
    client = signed_in()
    for granted in ("yes", "no"):
        response = client.post(
            "/my/consents/", {"channel": "sms", "purpose": "marketing", "granted": granted}
        )
        assert response.status_code == 303
    page = client.get("/my/consents/").content.decode()
    assert "Your answer is saved." in page
    assert "Withdrawn" in page and "on this website" in page
    assert not ada.consents.get(channel="sms", purpose="marketing").granted


def test_an_unknown_consent_is_refused(signed_in, ada):
    response = signed_in().post(
        "/my/consents/", {"channel": "pigeon", "purpose": "marketing", "granted": "yes"}
    )
    assert response.status_code == 400


def test_a_complaint_is_raised_and_followed_to_its_resolution(signed_in, ada, agent_user):
    client = signed_in()
    response = client.post(
        "/my/interactions/new/", {"kind": "complaint", "summary": "My line drops."}
    )
    interaction = Interaction.objects.get(customer=ada)
    assert response["Location"] == f"/my/interactions/{interaction.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "We have received your message" in page and "Open" in page
    interaction_resolve(interaction=interaction, actor=agent_user)
    page = client.get(f"/my/interactions/{interaction.pk}/").content.decode()
    assert "Resolved" in page


def test_an_empty_message_is_a_form_error(signed_in, ada):
    response = signed_in().post("/my/interactions/new/", {"kind": "complaint", "summary": ""})
    assert response.status_code == 400
    assert not Interaction.objects.filter(customer=ada).exists()


def test_a_statement_is_downloaded_as_pdf_and_html(signed_in, ada, statement_for):
    statement = statement_for(ada)
    client = signed_in()
    assert f"/my/statements/{statement.pk}/pdf/" in client.get("/my/statements/").content.decode()
    for kind, content_type in (("pdf", "application/pdf"), ("html", "text/html")):
        response = client.get(f"/my/statements/{statement.pk}/{kind}/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        assert "attachment" in response["Content-Disposition"]
        assert ada.number in response["Content-Disposition"]
        body = b"".join(response.streaming_content)
        assert body.startswith(b"%PDF") if kind == "pdf" else b"<" in body[:100]
    assert client.get(f"/my/statements/{statement.pk}/exe/").status_code == 404


def test_another_customers_statement_is_not_found(signed_in, ada, otto, statement_for):
    otto_statement = statement_for(otto)
    response = signed_in().get(f"/my/statements/{otto_statement.pk}/pdf/")
    assert response.status_code == 404


def test_a_statement_whose_file_is_gone_says_so(signed_in, ada, statement_for):
    from django.core.files.storage import default_storage

    statement = statement_for(ada)
    default_storage.delete(statement.pdf_file.name)
    response = signed_in().get(f"/my/statements/{statement.pk}/pdf/")
    assert response.status_code == 410
    assert "no longer available" in response.content.decode()


@pytest.fixture
def exports_written(settings, tmp_path, tasks_in_process, django_capture_on_commit_callbacks):
    """``with exports_written(): ...``: exports asked for inside are written when it ends."""
    settings.MEDIA_ROOT = tmp_path
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_the_customer_downloads_the_data_held_about_them(signed_in, ada, exports_written):
    client = signed_in()
    with exports_written():
        response = client.post("/my/data/export/")
    assert response.status_code == 303
    page = client.get("/my/data/").content.decode()
    assert "We are preparing a copy of your data" in page
    export = ada.subject_access_exports.get()
    export.refresh_from_db()
    assert export.status == "done"
    for kind in ("json", "html"):
        response = client.get(f"/my/data/{export.pk}/{kind}/")
        assert response.status_code == 200
        assert ada.number in b"".join(response.streaming_content).decode()


def test_another_customers_export_is_not_found(signed_in, ada, otto, exports_written):
    from portal import self_service

    with exports_written():
        export = self_service.data_export_request(customer=otto)
    response = signed_in().get(f"/my/data/{export.pk}/json/")
    assert response.status_code == 404


def test_an_export_not_yet_written_says_so(signed_in, ada):
    from portal import self_service

    export = self_service.data_export_request(customer=ada)  # its task waits for a commit
    response = signed_in().get(f"/my/data/{export.pk}/json/")
    assert response.status_code == 410


def test_asking_to_be_forgotten_reaches_staff(signed_in, ada):
    client = signed_in()
    assert client.post("/my/data/forget/", {"reason": " "}).status_code == 400
    response = client.post("/my/data/forget/", {"reason": "I am leaving."})
    assert response.status_code == 303
    assert (
        "We have received your request to be forgotten" in client.get("/my/data/").content.decode()
    )
    [waiting] = ErasureRequest.objects.filter(customer=ada, status="requested")
    assert waiting.reason.endswith("I am leaving.")
    assert client.post("/my/data/forget/", {"reason": "Once more."}).status_code == 303
    assert ErasureRequest.objects.filter(customer=ada).count() == 1
