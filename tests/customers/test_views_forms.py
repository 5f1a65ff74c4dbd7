import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.models import ActionLog, ContactMedium, Customer, Interaction, Party
from tests.factories import CustomerFactory, InvoiceFactory

NEW_LEAD = reverse("customers:lead_create")

VALID_LEAD = {
    "kind": "individual",
    "given_name": "Zoë",
    "family_name": "Müller",
    "segment": "residential",
    "language": "de",
    "email": "Zoe.Mueller@Example.com",
    "mobile": "07911 123456",
    "street": "1 High Street",
    "postcode": "ls1 1aa",
    "city": "Leeds",
    "country": "gb",
}


def test_an_agent_creates_a_lead_with_normalised_contacts(client, agent):
    client.force_login(agent)
    response = client.post(NEW_LEAD, VALID_LEAD)
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    assert customer.status == Customer.Status.LEAD
    assert customer.account_manager == agent
    values = set(customer.party.contact_media.values_list("kind", "value"))
    assert values == {
        ("email", "zoe.mueller@example.com"),
        ("mobile", "+447911123456"),
        ("postal", "1 High Street, LS1 1AA Leeds, GB"),
    }
    assert customer.preferences.language == "de"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"family_name": "", "given_name": ""}, "family_name", "A person needs a name"),
        ({"email": "not-an-email"}, "email", "Enter a valid e-mail address."),
        ({"mobile": "12"}, "mobile", "is not a valid phone number"),
        ({"birth_date": "2999-01-01"}, "birth_date", "cannot be in the future"),
        ({"kind": "organization"}, "legal_name", "An organisation needs its legal name."),
        ({"street": "", "city": "Leeds"}, "street", "Give the street."),
    ],
)
def test_a_bad_lead_shows_the_error_and_keeps_what_was_typed(client, agent, change, field, message):
    client.force_login(agent)
    response = client.post(NEW_LEAD, {**VALID_LEAD, **change})
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert form["city"].value() == "Leeds"
    assert Party.objects.count() == 0


def test_a_lead_without_any_way_to_reach_them_is_refused(client, agent):
    client.force_login(agent)
    data = {**VALID_LEAD, "email": "", "mobile": "", "street": "", "city": "", "postcode": ""}
    response = client.post(NEW_LEAD, data)
    assert (
        "Give at least one way to reach the customer."
        in response.context["form"].non_field_errors()
    )
    assert not Customer.objects.exists()


def test_a_risk_analyst_cannot_create_leads(client, analyst):
    client.force_login(analyst)
    assert client.get(NEW_LEAD).status_code == 403
    assert client.post(NEW_LEAD, VALID_LEAD).status_code == 403
    assert not Customer.objects.exists()


def test_the_analyst_can_read_the_customer_page(client, analyst, active_customer):
    client.force_login(analyst)
    response = client.get(active_customer.get_absolute_url())
    assert response.status_code == 200
    assert response.context["allowed_transitions"] == []


def test_the_360_page_shows_profile_contacts_products_billing_and_timeline(
    client, agent, active_customer
):
    InvoiceFactory(customer=active_customer, number="INV-360", amount="55.50")
    client.force_login(agent)
    response = client.get(active_customer.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ada Active" in body
    assert "INV-360" in body
    assert "Establish" in body  # the lifecycle history
    assert response.context["billing"].open_balance == pytest.approx(55.50)


def test_an_unknown_customer_number_is_a_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("customers:detail", args=["C99999999"])).status_code == 404


def test_profile_edit_records_old_and_new_values(client, agent, lead):
    client.force_login(agent)
    url = reverse("customers:profile_edit", args=[lead.number])
    data = {"given_name": "Lena", "family_name": "Lead-Smith", "segment": "small_business"}
    response = client.post(url, data)
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.party.display_name == "Lena Lead-Smith"
    entry = ActionLog.objects.filter(customer=lead, action="customer.updated").get()
    assert entry.data["family_name"] == ["Lead", "Lead-Smith"]
    assert entry.actor == agent


def test_staff_name_and_describe_the_customer_role_beside_the_person(client, agent, lead):
    client.force_login(agent)
    url = reverse("customers:profile_edit", args=[lead.number])
    data = {
        "given_name": "Lena",
        "family_name": "Lead",
        "segment": "residential",
        "name": "Lena Lead, holiday home",
        "description": "Second line <b>for</b> the summer house",
    }

    assert client.post(url, data).status_code == 302

    lead.refresh_from_db()
    assert (lead.name, lead.party.display_name) == ("Lena Lead, holiday home", "Lena Lead")
    entry = ActionLog.objects.get(customer=lead, action="customer.updated")
    assert entry.data["name"] == ["", "Lena Lead, holiday home"]
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "Lena Lead, holiday home" in page
    assert "Second line &lt;b&gt;for&lt;/b&gt; the summer house" in page


def test_profile_edit_refuses_a_person_without_any_name(client, agent, lead):
    client.force_login(agent)
    url = reverse("customers:profile_edit", args=[lead.number])
    response = client.post(url, {"given_name": "", "family_name": "", "segment": "residential"})
    assert response.status_code == 200
    assert "A person needs a name" in str(response.context["form"].errors["family_name"])
    lead.party.refresh_from_db()
    assert lead.party.family_name == "Lead"


def test_adding_a_contact_with_a_bad_phone_shows_the_error(client, agent, lead):
    client.force_login(agent)
    url = reverse("customers:contact_add", args=[lead.number])
    response = client.post(url, {"kind": "mobile", "value": "0000"})
    assert response.status_code == 200
    assert "not a valid phone number" in str(response.context["form"].errors["value"])
    assert not lead.party.contact_media.exists()


def test_adding_and_removing_a_contact(client, agent, lead):
    client.force_login(agent)
    add = reverse("customers:contact_add", args=[lead.number])
    assert (
        client.post(
            add, {"kind": "email", "value": "Lena@Example.org", "is_preferred": "on"}
        ).status_code
        == 302
    )
    contact = ContactMedium.objects.get(party=lead.party)
    assert contact.value == "lena@example.org"
    duplicate = client.post(add, {"kind": "email", "value": "lena@example.org"})
    assert "already recorded" in str(duplicate.context["form"].errors["value"])
    remove = reverse("customers:contact_remove", args=[lead.number, contact.pk])
    assert client.post(remove).status_code == 302
    assert not ContactMedium.objects.filter(pk=contact.pk).exists()
    assert ActionLog.objects.filter(customer=lead, action="contact_medium.removed").exists()


def test_recording_consent_and_preferences(client, agent, lead):
    client.force_login(agent)
    consent = reverse("customers:consent_record", args=[lead.number])
    response = client.post(
        consent,
        {"channel": "email", "purpose": "surveys", "granted": "yes", "source": "call_centre"},
    )
    assert response.status_code == 302
    assert lead.consents.get().granted is True
    preferences = reverse("customers:preferences_edit", args=[lead.number])
    window = {
        "language": "en",
        "preferred_channel": "email",
        "statement_format": "email",
        "statement_frequency": "monthly",
    }
    empty = client.post(
        preferences, {**window, "contact_time_from": "09:00", "contact_time_to": "09:00"}
    )
    assert empty.status_code == 200
    assert "must end at another time" in str(empty.context["form"].errors["contact_time_to"])
    assert "Constraint" not in empty.content.decode()
    overnight = client.post(
        preferences, {**window, "contact_time_from": "18:00", "contact_time_to": "09:00"}
    )
    assert overnight.status_code == 302
    page = client.get(lead.get_absolute_url()).content.decode()
    assert "18:00\u201309:00 (overnight)" in page


def test_recording_an_interaction(client, agent, lead):
    client.force_login(agent)
    url = reverse("customers:interaction_create", args=[lead.number])
    response = client.post(
        url,
        {
            "channel": "chat",
            "direction": "inbound",
            "kind": "complaint",
            "summary": "Slow line",
            "outcome": "open",
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get(customer=lead)
    assert interaction.staff == agent
    assert interaction.closed_at is None
    missing = client.post(
        url, {"channel": "chat", "direction": "inbound", "kind": "complaint", "outcome": "open"}
    )
    assert "summary" in missing.context["form"].errors


@pytest.mark.parametrize("action", ["qualify", "establish", "disqualify"])
def test_an_agent_may_open_the_lead_actions(client, agent, lead, action):
    client.force_login(agent)
    assert (
        client.get(reverse("customers:lifecycle_action", args=[lead.number, action])).status_code
        == 200
    )


@pytest.mark.parametrize("action", ["suspend", "terminate", "reestablish", "resume"])
def test_an_agent_may_not_do_what_only_a_manager_may(client, agent, active_customer, action):
    client.force_login(agent)
    url = reverse("customers:lifecycle_action", args=[active_customer.number, action])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "voluntary_churn"}).status_code == 403
    active_customer.refresh_from_db()
    assert active_customer.status == Customer.Status.ACTIVE


def test_a_manager_terminates_with_a_reason(client, manager, active_customer):
    client.force_login(manager)
    url = reverse("customers:lifecycle_action", args=[active_customer.number, "terminate"])
    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 200
    assert missing.context["form"].errors["reason"]
    response = client.post(url, {"reason": "competitor", "note": "Cheaper offer elsewhere"})
    assert response.status_code == 302
    active_customer.refresh_from_db()
    assert active_customer.status == Customer.Status.TERMINATED
    assert active_customer.status_reason == "competitor"


def test_overdue_debt_blocks_voluntary_termination_in_the_ui(client, manager, active_customer):
    issued_on = timezone.localdate() - datetime.timedelta(days=30)
    InvoiceFactory(customer=active_customer, amount="80.00", issued_on=issued_on)
    client.force_login(manager)
    url = reverse("customers:lifecycle_action", args=[active_customer.number, "terminate"])
    response = client.post(url, {"reason": "voluntary_churn"})
    assert response.status_code == 200
    assert "has €80.00 overdue" in " ".join(response.context["form"].non_field_errors())
    active_customer.refresh_from_db()
    assert active_customer.status == Customer.Status.ACTIVE


def test_an_illegal_transition_names_the_state_and_the_allowed_actions(client, manager, lead):
    client.force_login(manager)
    url = reverse("customers:lifecycle_action", args=[lead.number, "suspend"])
    page = client.get(url)
    assert page.context["allowed"] is False
    response = client.post(url, {"reason": "non_payment"})
    assert response.context["refusal"] == "Suspend is not possible: Lena Lead is a lead."
    assert [t.action for t in response.context["next_steps"]] == [
        "qualify",
        "establish",
        "disqualify",
    ]
    lead.refresh_from_db()
    assert lead.status == Customer.Status.LEAD


def test_an_unknown_lifecycle_action_is_a_404(client, manager, lead):
    client.force_login(manager)
    assert (
        client.get(reverse("customers:lifecycle_action", args=[lead.number, "explode"])).status_code
        == 404
    )


def test_forms_are_protected_against_cross_site_requests(agent):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(agent)
    assert csrf_client.post(NEW_LEAD, VALID_LEAD).status_code == 403


def test_pages_send_a_content_security_policy(client, agent):
    client.force_login(agent)
    policy = client.get(reverse("customers:list"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy


def test_names_are_escaped(client, agent):
    customer = CustomerFactory(actor=agent, family_name="<script>alert(1)</script>")
    client.force_login(agent)
    body = client.get(customer.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_person_known_by_a_single_name_can_be_a_lead(client, agent):
    client.force_login(agent)
    response = client.post(NEW_LEAD, {**VALID_LEAD, "given_name": "Suharto", "family_name": ""})
    assert response.status_code == 302
    assert Customer.objects.get().party.display_name == "Suharto"
