"""Managers word the messages per language, with a preview; placeholders are an allow-list."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from customers.models import Customer
from customers.services import customer_suspend
from messaging.defaults import DEFAULT_TEXTS
from messaging.models import Event, MessageTemplate
from messaging.placeholders import placeholders_check

LIST = reverse("messaging:templates")
SUSPENSION_DE = reverse("messaging:template_edit", args=["suspension", "de"])
TERMINATION_EN = reverse("messaging:template_edit", args=["termination", "en"])


@pytest.mark.parametrize("language", ["en", "de", "fr", "es"])
@pytest.mark.parametrize("event", Event.values)
def test_every_default_text_passes_the_editors_check(event, language):
    subject, body = DEFAULT_TEXTS[event][language]
    placeholders_check(subject, event=event)
    placeholders_check(body, event=event)


@pytest.mark.parametrize(
    "text",
    [
        "{password}",
        "{name.__class__}",
        "{name[0]}",
        "{name!r}",
        "{name:>99999999}",
        "{}",
        "{0}",
        "{invoice}",  # a termination's, not a welcome's
        "a lone { brace",
    ],
)
def test_anything_but_an_offered_placeholder_is_refused(text):
    with pytest.raises(ValidationError):
        placeholders_check(text, event=Event.WELCOME)


def test_django_template_syntax_is_only_text():
    from messaging.placeholders import text_render

    placeholders_check("{{ customer.party.national_id }}", event=Event.WELCOME)
    assert text_render("{{ x }}", {}) == "{ x }"


def test_agents_may_not_see_or_edit_the_templates(client, agent):
    client.force_login(agent)
    assert client.get(LIST).status_code == 403
    assert client.get(SUSPENSION_DE).status_code == 403
    assert client.post(SUSPENSION_DE, {"subject": "x", "body": "y", "save": "1"}).status_code == 403
    assert not MessageTemplate.objects.exists()


def test_the_list_shows_every_message_in_every_language(client, template_editor):
    client.force_login(template_editor)
    page = client.get(LIST).content.decode()
    for event in Event.values:
        for language in ("en", "de", "fr", "es"):
            assert reverse("messaging:template_edit", args=[event, language]) in page
    assert "Ihre Dienste sind gesperrt" in page


def test_the_editor_previews_the_current_text_for_a_sample_customer(client, template_editor):
    client.force_login(template_editor)
    response = client.get(SUSPENSION_DE)
    assert response.status_code == 200
    page = response.content.decode()
    assert '<label for="id_subject"' in page and '<label for="id_body"' in page
    assert 'id="preview"' in page
    assert "Guten Tag Ada Example" in page  # the sample customer, never a real one


def test_preview_shows_the_edited_text_without_saving_it(client, template_editor):
    client.force_login(template_editor)
    response = client.post(
        TERMINATION_EN,
        {"subject": "Goodbye {name}", "body": "Final bill {invoice}: {amount}.", "preview": "1"},
    )
    page = response.content.decode()
    assert "Goodbye Ada Example" in page
    assert "Final bill INV-000042: " in page and "42.50" in page
    assert not MessageTemplate.objects.exists()


def test_unknown_placeholders_are_refused_with_a_form_error(client, template_editor):
    client.force_login(template_editor)
    response = client.post(
        SUSPENSION_DE,
        {"subject": "Hallo {name}", "body": "Ihr Passwort: {password}", "save": "1"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown placeholder {password}" in page
    assert not MessageTemplate.objects.exists()
    response = client.post(
        SUSPENSION_DE, {"subject": "{name.__class__}", "body": "ok", "preview": "1"}
    )
    assert "Unknown placeholder {name.__class__}" in response.content.decode()
    assert 'id="preview"' not in response.content.decode()


def test_a_saved_text_is_what_the_next_message_says(
    client, template_editor, reachable, tasks_in_process, django_capture_on_commit_callbacks
):
    client.force_login(template_editor)
    response = client.post(
        SUSPENSION_DE,
        {"subject": "Gesperrt: {number}", "body": "Hallo {name}, gesperrt am {date}.", "save": "1"},
    )
    assert response.status_code == 302
    template = MessageTemplate.objects.get(event="suspension", language="de")
    assert template.updated_by == template_editor
    customer = reachable(Customer.Status.ACTIVE, language="de")
    with django_capture_on_commit_callbacks(execute=True):
        customer_suspend(customer=customer, actor=None, reason="customer_request")
    assert [m.subject for m in mail.outbox] == [f"Gesperrt: {customer.number}"]
    assert mail.outbox[0].body.startswith("Hallo Kim Keller, gesperrt am ")


def test_an_unknown_message_or_language_is_not_found(client, template_editor):
    client.force_login(template_editor)
    assert (
        client.get(reverse("messaging:template_edit", args=["birthday", "en"])).status_code == 404
    )
    assert client.get(reverse("messaging:template_edit", args=["welcome", "it"])).status_code == 404
