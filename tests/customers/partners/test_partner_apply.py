"""Organisations apply to become partners on a public page; staff take it from there."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from customers.models import ActionLog, Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

APPLICATION = {
    "name": "Harbour Mobile Ltd",
    "registration_number": "gb998877",
    "contact_name": "Hana Harbour",
    "contact_email": "hana@harbour.example",
    "website": "harbour.example",
    "notes": "An MVNO for fishermen.",
    "company_fax": "",
}


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def test_the_application_page_needs_no_login(client):
    response = client.get(reverse("partner_apply"))

    assert response.status_code == 200
    assert b"Become a partner" in response.content


def test_an_application_is_recorded_as_applied_for_staff_to_validate(client):
    response = client.post(reverse("partner_apply"), APPLICATION)

    assert response.status_code == 200
    assert b"Application received" in response.content
    partner = Partner.objects.get()
    assert (partner.name, partner.status) == ("Harbour Mobile Ltd", "applied")
    assert partner.registration_number == "GB998877"
    assert partner.website == "https://harbour.example"
    entry = ActionLog.objects.get(action="partner.applied")
    assert entry.partner == partner and entry.actor_label == "partner application form"


def test_a_name_already_taken_is_refused_on_the_form(client):
    PartnerFactory(name="Harbour Mobile Ltd")

    response = client.post(reverse("partner_apply"), APPLICATION)

    assert b"already exists" in response.content
    assert Partner.objects.count() == 1


def test_a_filled_in_hidden_field_stores_nothing(client):
    response = client.post(reverse("partner_apply"), {**APPLICATION, "company_fax": "+1 555"})

    assert b"Leave this field empty" in response.content
    assert not Partner.objects.exists()


def test_a_missing_e_mail_is_shown_on_the_form(client):
    response = client.post(reverse("partner_apply"), {**APPLICATION, "contact_email": "nope"})

    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert not Partner.objects.exists()


def test_a_fields_error_and_help_are_what_the_field_refers_to(client):
    response = client.post(reverse("partner_apply"), {**APPLICATION, "contact_email": "nope"})

    page = response.content.decode()
    assert 'aria-describedby="id_contact_email_error"' in page
    assert '<div class="error" id="id_contact_email_error" role="alert">' in page
    assert 'aria-describedby="id_notes_helptext"' in page
    assert 'id="id_notes_helptext"' in page


def test_one_address_may_apply_a_few_times_an_hour(client):
    for number in range(5):
        client.post(reverse("partner_apply"), {**APPLICATION, "name": f"Applicant {number}"})

    response = client.post(reverse("partner_apply"), {**APPLICATION, "name": "One too many"})

    assert b"Too many applications" in response.content
    assert Partner.objects.count() == 5


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_organisation_applies_in_a_real_browser(browser_page):
    browser_page.goto("/partner-application/")
    browser_page.get_by_label("Organisation name").fill("Browser Mobile")
    browser_page.get_by_label("Your name").fill("Bea Browser")
    browser_page.get_by_label("Your e-mail").fill("bea@browser.example")

    browser_page.get_by_role("button", name="Apply").click()

    browser_page.get_by_text("Application received").wait_for()
    assert Partner.objects.get().name == "Browser Mobile"
