import datetime

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.core.files.base import ContentFile
from django.urls import reverse

from customers import services
from customers.identity.matching import Match
from customers.identity.services.duplicate_scans import duplicate_scan_start
from customers.identity.services.identity import duplicate_pair_record
from customers.identity.services.imports import import_job_create, import_job_run
from customers.models import Customer, LifecycleEvent
from customers.partners.services.hub import hub_subscribe
from customers.partners.services.partners import token_issue
from customers.services import ContactMediumInput
from customers.services.usage import usage_record
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    InvoiceFactory,
    PartnerFactory,
    SubscriptionFactory,
    UserFactory,
)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def populated(agent):
    """One row of every customer model, made through the services."""
    customer = CustomerFactory(
        actor=agent,
        status=Customer.Status.ACTIVE,
        family_name="Admin",
        partner=PartnerFactory(),
        contact_media=[ContactMediumInput(kind="email", value="admin@example.com")],
    )
    # The partner's API side: a token, and a hub that hears of the changes below.
    token_issue(partner=customer.partner, name="Admin sync", scopes=["customer:read"], actor=agent)
    hub_subscribe(partner=customer.partner, actor=agent, callback="https://hooks.example/admin")
    services.customer_update(customer=customer, actor=agent, lead_source="fair")
    invoice = InvoiceFactory(customer=customer)
    services.payment_record(
        customer=customer,
        invoice=invoice,
        amount=invoice.amount,
        received_on=invoice.due_on,
        method="card",
        reference="PAY-1",
        actor=agent,
    )
    subscription = SubscriptionFactory(customer=customer)
    usage_record(
        customer=customer,
        product=subscription.product,
        month=datetime.date(2026, 1, 1),
        measures={"voice_minutes_day": "42.5", "service_calls": 1},
    )
    InteractionFactory(customer=customer)
    services.consent_record(
        customer=customer,
        channel="email",
        purpose="surveys",
        granted=True,
        source="web",
        actor=agent,
    )
    friend = CustomerFactory(family_name="Friend")
    services.relationship_add(
        from_customer=friend, to_customer=customer, kind="referred_by", actor=agent
    )
    duplicate_pair_record(
        first=customer,
        second=friend,
        match=Match(score=0.7, reasons=["same postcode"], decision="probable"),
        source="scan",
    )
    CustomerFactory(family_name="Twin", status=Customer.Status.MERGED)  # leaves an alias
    duplicate_scan_start(actor=agent)
    job = import_job_create(
        kind="customers",
        file=ContentFile(b"external_ref,family_name\nX1,Imported\nX2,\n", name="people.csv"),
        actor=agent,
    )
    import_job_run(job_id=job.pk)  # one row imported, one row error
    return customer


def _customer_models():
    return [
        model
        for model in admin.site._registry
        if model._meta.app_label in ("customers", "identity", "partners")
    ]


@pytest.mark.parametrize("model", _customer_models(), ids=lambda m: m._meta.model_name)
def test_every_customer_model_has_an_admin_list_that_loads(client, superuser, populated, model):
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert client.get(url, {"q": "adm"}).status_code == 200


@pytest.mark.parametrize("model", _customer_models(), ids=lambda m: m._meta.model_name)
def test_every_customer_model_has_an_admin_detail_page_that_loads(
    client, superuser, populated, model
):
    instance = model.objects.first()
    if instance is None:
        pytest.fail(f"the fixture should create a {model.__name__}")
    client.force_login(superuser)
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[instance.pk]
    )
    assert client.get(url).status_code == 200


def test_admin_search_finds_customers_like_the_staff_list(client, superuser, populated):
    client.force_login(superuser)
    response = client.get(reverse("admin:customers_customer_changelist"), {"q": "admin"})
    assert populated.number in response.content.decode()


def test_the_admin_suspend_action_asks_for_a_reason_then_calls_the_service(
    client, superuser, populated
):
    lead = CustomerFactory(family_name="Lead")
    client.force_login(superuser)
    url = reverse("admin:customers_customer_changelist")
    selection = {
        "action": "lifecycle_suspend",
        helpers.ACTION_CHECKBOX_NAME: [populated.pk, lead.pk],
    }

    confirm = client.post(url, selection)
    assert confirm.status_code == 200
    assert "Suspend" in confirm.content.decode()

    done = client.post(url, {**selection, "apply": "1", "reason": "non_payment"}, follow=True)
    populated.refresh_from_db()
    lead.refresh_from_db()
    assert populated.status == Customer.Status.SUSPENDED
    assert lead.status == Customer.Status.LEAD
    text = done.content.decode()
    assert "Suspend: 1 customer(s)." in text
    assert f"Cannot suspend customer {lead.number}: it is lead." in text
    event = LifecycleEvent.objects.get(customer=populated, action="suspend")
    assert event.actor == superuser


def test_an_agent_in_admin_is_not_offered_manager_actions(client, agent, populated):
    agent.is_staff = True
    agent.save()
    client.force_login(agent)
    response = client.get(reverse("admin:customers_customer_changelist"))
    actions = [choice[0] for choice in response.context["action_form"].fields["action"].choices]
    assert "lifecycle_qualify" in actions
    assert "lifecycle_terminate" not in actions
    assert "lifecycle_reestablish" not in actions


def test_changing_the_segment_in_admin_goes_through_the_service(client, superuser, populated):
    client.force_login(superuser)
    url = reverse("admin:customers_customer_change", args=[populated.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {
        name: (value.pk if hasattr(value, "pk") else value)
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data["segment"] = "enterprise"
    # The read-only inlines still post their management forms and row ids.
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({f"{management.prefix}-{k}": v for k, v in management.initial.items()})
        for row in inline.formset.forms:
            for field in row:
                if field.value() is not None:
                    data[field.html_name] = field.value()

    response = client.post(url, data)

    assert response.status_code == 302
    populated.refresh_from_db()
    assert populated.segment == "enterprise"
    assert populated.action_log.filter(action="customer.updated").exists()
