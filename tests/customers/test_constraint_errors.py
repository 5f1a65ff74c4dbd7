"""A rule the database enforces with a constraint reads, on every door that can break it, in
the service's words on the field concerned: never "Constraint “…” is violated."."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from customers.models import (
    CommunicationPreferences,
    Customer,
    CustomerRelationship,
    Invoice,
    Party,
    Payment,
    Subscription,
)
from customers.services import preferences_update, relationship_add
from customers.services.relationships import relationship_check
from tests.factories import CustomerFactory, PartnerFactory, SubscriptionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


def _admin_form(model, superuser, *, instance=None, **data):
    """The form the admin builds for ``model``, bound to the instance's values and ``data``."""
    request = RequestFactory().post("/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    form_class = model_admin.get_form(request, obj=instance, change=instance is not None)
    values = model_to_dict(instance, fields=form_class.base_fields) if instance else {}
    values = {k: ("" if v is None else v) for k, v in {**values, **data}.items()}
    return form_class(data=values, instance=instance)


def _errors(form) -> str:
    assert not form.is_valid()
    return str(form.errors)


def test_the_admin_refuses_an_empty_contact_window_in_words(superuser, lead):
    preferences = preferences_update(customer=lead, actor=None, language="en")

    form = _admin_form(
        CommunicationPreferences,
        superuser,
        instance=preferences,
        contact_time_from="09:00",
        contact_time_to="09:00",
    )

    errors = _errors(form)
    assert "must end at another time than it starts" in str(form.errors["contact_time_to"])
    assert "Constraint" not in errors


def test_the_admin_accepts_a_contact_window_across_midnight(superuser, lead):
    preferences = preferences_update(customer=lead, actor=None, language="en")

    form = _admin_form(
        CommunicationPreferences,
        superuser,
        instance=preferences,
        contact_time_from="18:00",
        contact_time_to="09:00",
    )

    assert form.is_valid(), form.errors


def test_the_admin_refuses_a_person_without_a_name_in_words(superuser, lead):
    form = _admin_form(Party, superuser, instance=lead.party, given_name="", family_name="")

    errors = _errors(form)
    assert "A person needs a name" in str(form.errors["family_name"])
    assert "Constraint" not in errors


def test_the_admin_refuses_an_organisation_without_its_legal_name_in_words(superuser):
    company = CustomerFactory(organisation=True)

    form = _admin_form(Party, superuser, instance=company.party, legal_name="  ")

    errors = _errors(form)
    assert "An organisation needs its legal name." in str(form.errors["legal_name"])
    assert "Constraint" not in errors


def test_the_admin_refuses_a_customer_related_to_itself_in_words(superuser, active_customer):
    form = _admin_form(
        CustomerRelationship,
        superuser,
        from_customer=active_customer.pk,
        to_customer=active_customer.pk,
        kind="household",
    )

    errors = _errors(form)
    assert form.errors["to_customer"] == ["A customer cannot be related to itself."]
    assert "Constraint" not in errors


def test_the_admin_refuses_the_same_link_twice_in_words(
    superuser, active_customer, other_active_customer
):
    relationship_add(
        from_customer=active_customer,
        to_customer=other_active_customer,
        kind="household",
        actor=None,
    )

    form = _admin_form(
        CustomerRelationship,
        superuser,
        from_customer=active_customer.pk,
        to_customer=other_active_customer.pk,
        kind="household",
    )

    _errors(form)
    assert form.errors["to_customer"] == [
        f"{active_customer.number} is already linked to {other_active_customer.number} this way."
    ]
    assert "__all__" not in form.errors  # not said twice, once by the constraint


def test_adding_a_relationship_in_the_admin_goes_through_the_service(
    client, superuser, active_customer, other_active_customer
):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:customers_customerrelationship_add"),
        {
            "from_customer": active_customer.pk,
            "to_customer": active_customer.pk,
            "kind": "household",
        },
    )

    assert response.status_code == 200  # the form again, with the error: no server error
    assert "A customer cannot be related to itself." in response.content.decode()
    assert not CustomerRelationship.objects.exists()


def test_the_relationship_rule_names_the_field_that_is_wrong(active_customer):
    with pytest.raises(ValidationError) as refused:
        relationship_check(
            from_customer=active_customer, to_customer=active_customer, kind="household"
        )

    assert refused.value.message_dict == {
        "to_customer": ["A customer cannot be related to itself."]
    }


@pytest.mark.parametrize(
    ("model", "name"),
    [(Invoice, "invoice"), (Payment, "payment"), (Subscription, "subscription")],
)
def test_billing_facts_cannot_be_added_around_their_service_in_the_admin(
    client, superuser, model, name
):
    client.force_login(superuser)

    response = client.get(reverse(f"admin:customers_{name}_add"))

    assert response.status_code == 403
    assert not admin.site._registry[model].has_add_permission(
        type("Request", (), {"user": superuser})()
    )


def test_a_window_across_midnight_reads_as_overnight_on_the_customer_page(client, agent, lead):
    preferences_update(
        customer=lead,
        actor=agent,
        contact_time_from=datetime.time(22, 30),
        contact_time_to=datetime.time(7),
    )
    client.force_login(agent)

    page = client.get(lead.get_absolute_url()).content.decode()

    assert "22:30\u201307:00 (overnight)" in page


def test_a_product_held_is_only_looked_up_in_the_admin(client, superuser):
    subscription = SubscriptionFactory()
    client.force_login(superuser)
    url = reverse("admin:customers_subscription_change", args=[subscription.pk])

    response = client.post(url, {"monthly_charge": "-5", "end_date": "2000-01-01"})

    assert response.status_code == 403
    subscription.refresh_from_db()
    assert subscription.monthly_charge >= 0 and subscription.end_date is None
    assert client.get(url).status_code == 200


def test_the_admin_refuses_moving_a_customer_to_a_partner_that_has_its_reference(superuser):
    first, second = PartnerFactory(), PartnerFactory()
    moving = CustomerFactory(partner=first, partner_reference="REF-1")
    holder = CustomerFactory(partner=second, partner_reference="REF-1")

    form = _admin_form(Customer, superuser, instance=moving, partner=second.pk)

    errors = _errors(form)
    assert form.errors["partner"] == [f"Reference REF-1 is already customer {holder.number}."]
    assert "Constraint" not in errors


def test_an_empty_window_next_to_another_mistake_still_reads_in_words(client, agent, lead):
    client.force_login(agent)

    response = client.post(
        reverse("customers:preferences_edit", args=[lead.number]),
        {
            "language": "en",
            "preferred_channel": "carrier pigeon",
            "contact_time_from": "09:00",
            "contact_time_to": "09:00",
            "statement_format": "email",
            "statement_frequency": "monthly",
        },
    )

    form = response.context["form"]
    assert "preferred_channel" in form.errors
    assert "must end at another time" in str(form.errors["contact_time_to"])
    assert "Constraint" not in response.content.decode()
