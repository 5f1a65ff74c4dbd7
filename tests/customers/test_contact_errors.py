"""What a person reads when a contact detail is wrong: one error per mistake, worded after what
is accepted, on the field that is wrong, whatever the door (staff forms, the API, imports)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from customers.identity.services.imports import import_job_create, import_job_run
from customers.models import ContactMedium, Customer, Party
from customers.services import ContactMediumInput, contact_medium_add

pytestmark = pytest.mark.django_db

NEW_LEAD = reverse("customers:lead_create")
LEAD = {
    "kind": "individual",
    "given_name": "Zoë",
    "family_name": "Müller",
    "segment": "residential",
    "language": "en",
}


def test_a_bad_email_on_a_new_lead_shows_only_the_email_error(client, agent):
    client.force_login(agent)

    response = client.post(NEW_LEAD, {**LEAD, "email": "zoe.at.example.com"})

    form = response.context["form"]
    assert form.errors["email"] == ["Enter a valid e-mail address."]
    assert form.non_field_errors() == []
    assert "Give at least one way" not in response.content.decode()
    assert not Party.objects.exists()


def test_a_new_lead_with_no_way_to_reach_them_is_told_so(client, agent):
    client.force_login(agent)

    response = client.post(NEW_LEAD, LEAD)

    assert response.context["form"].non_field_errors() == [
        "Give at least one way to reach the customer."
    ]


def test_a_bad_phone_number_is_told_what_to_type_in_the_national_or_international_form(
    client, agent, lead, settings
):
    settings.CRM_DEFAULT_PHONE_REGION = "GB"
    client.force_login(agent)

    response = client.post(
        reverse("customers:contact_add", args=[lead.number]), {"kind": "mobile", "value": "0791"}
    )

    [error] = response.context["form"].errors["value"]
    assert error == (
        "'0791' is not a valid phone number. "
        "Enter a phone number, e.g. 07400 123456 or +44 7400 123456."
    )
    # ... and the national example it gives is itself accepted.
    accepted = client.post(
        reverse("customers:contact_add", args=[lead.number]),
        {"kind": "mobile", "value": "07400 123456"},
    )
    assert accepted.status_code == 302


@pytest.mark.parametrize("country", ["ZZ", "zz", "EU", "00", "1"])
def test_an_address_in_no_country_is_refused_by_the_service(agent, lead, country):
    medium = ContactMediumInput(kind="postal", street="1 Main St", city="Nowhere", country=country)

    with pytest.raises(ValidationError) as refused:
        contact_medium_add(customer=lead, medium=medium, actor=agent)

    assert "is not a country code" in refused.value.message_dict["country"][0]
    assert not ContactMedium.objects.filter(kind="postal").exists()


def test_a_country_code_in_any_case_is_kept_in_capitals(agent, lead):
    medium = ContactMediumInput(kind="postal", street="1 Rue Haute", city="Lyon", country="fr")

    contact = contact_medium_add(customer=lead, medium=medium, actor=agent)

    assert (contact.country, contact.value) == ("FR", "1 Rue Haute, Lyon, FR")


def test_the_contact_form_shows_the_country_error_on_the_country_field(client, agent, lead):
    client.force_login(agent)

    response = client.post(
        reverse("customers:contact_add", args=[lead.number]),
        {"kind": "postal", "street": "1 Main St", "city": "Nowhere", "country": "ZZ"},
    )

    assert response.status_code == 200
    assert "'ZZ' is not a country code" in response.context["form"].errors["country"][0]


def test_a_new_lead_in_no_country_shows_the_error_on_its_country(client, agent):
    client.force_login(agent)
    address = {"street": "1 Main St", "city": "Nowhere", "country": "ZZ"}

    response = client.post(NEW_LEAD, {**LEAD, **address})

    assert "'ZZ' is not a country code" in response.context["form"].errors["country"][0]
    assert not Customer.objects.exists()


def test_an_import_row_in_no_country_fails_on_its_country_column(db):
    job = import_job_create(
        kind="customers",
        file=ContentFile(
            b"external_ref,family_name,street,city,country\nR1,Nowhere,1 Main St,Oz,ZZ\n",
            name="people.csv",
        ),
        actor=None,
    )

    job = import_job_run(job_id=job.pk)

    [error] = job.row_errors.all()
    assert error.field == "country"
    assert "'ZZ' is not a country code" in error.message
    assert not Customer.objects.exists()
