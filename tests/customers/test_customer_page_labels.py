"""The customer page speaks in labels, never in stored codes, and calls someone a customer only
once a relationship was established."""

import datetime
import re

import pytest
from django.utils import timezone

from customers.models import ActionLog, Customer
from customers.selectors import customer_since, customer_timeline
from customers.services import (
    ContactMediumInput,
    consent_record,
    contact_medium_add,
    contact_medium_update,
    customer_establish,
    customer_qualify,
    customer_update,
    leads_flag_stale,
    preferences_update,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _page(client, user, customer) -> str:
    client.force_login(user)
    return client.get(customer.get_absolute_url()).content.decode()


def _facts(page: str) -> dict[str, str]:
    """The profile facts as label -> text, markup stripped."""
    pairs = re.findall(r"<dt[^>]*>(.*?)</dt><dd[^>]*>(.*?)</dd>", page, re.S)
    return {
        re.sub(r"<[^>]+>", "", dt).strip(): re.sub(r"<[^>]+>", "", dd).strip() for dt, dd in pairs
    }


@pytest.mark.parametrize(
    ("status", "label"),
    [
        (Customer.Status.LEAD, "Lead since"),
        (Customer.Status.PROSPECT, "Created"),
        (Customer.Status.DISQUALIFIED, "Created"),
        (Customer.Status.ACTIVE, "Customer since"),
        (Customer.Status.SUSPENDED, "Customer since"),
        (Customer.Status.TERMINATED, "Customer since"),
    ],
)
def test_only_an_established_relationship_is_called_customer_since(agent, status, label):
    customer = CustomerFactory(actor=agent, status=status)

    assert customer_since(customer).label == label


def test_a_lead_page_says_lead_since_its_creation_day(client, agent, lead):
    facts = _facts(_page(client, agent, lead))

    assert "Customer since" not in facts
    assert facts["Lead since"] == f"{timezone.localtime(lead.created_at):%Y-%m-%d}"


def test_an_active_customer_page_says_customer_since_the_relationship_began(client, agent):
    customer = CustomerFactory(actor=agent)
    customer_qualify(customer=customer, actor=agent, reason="need_confirmed")
    customer = customer_establish(customer=customer, actor=agent, reason="contract_signed")

    page = _page(client, agent, customer)

    assert _facts(page)["Customer since"] == f"{timezone.localtime(customer.valid_from):%Y-%m-%d}"
    assert "Reason: Contract signed, since" in page


def test_the_lifecycle_history_shows_labels_of_actions_statuses_and_reasons(client, agent):
    customer = CustomerFactory(actor=agent)
    customer_qualify(customer=customer, actor=agent, reason="need_confirmed")
    customer_establish(customer=customer, actor=agent, reason="contract_signed")

    page = _page(client, agent, customer)
    history = page[page.index('id="history-h"') : page.index('id="timeline-h"')]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", history))

    assert "Establish relationship Prospect → Active (Contract signed)" in text
    assert "Qualify Lead → Prospect (Need and budget confirmed)" in text
    assert "Created \u2013 → Lead" in text
    for code in ("establish ", "prospect → active", "contract_signed", "need confirmed"):
        assert code not in text


def test_the_timeline_shows_consents_by_their_labels(agent, lead):
    consent_record(
        customer=lead,
        channel="sms",
        purpose="marketing",
        granted=True,
        source="call_centre",
        actor=agent,
    )

    [entry] = [e for e in customer_timeline(customer=lead) if e.title == "Consent granted"]

    assert entry.detail == "Marketing by SMS (Call centre)"


def test_the_timeline_shows_a_transition_in_labels(agent, lead):
    customer_qualify(customer=lead, actor=agent, reason="referral", note="Met at the fair")

    [entry] = [e for e in customer_timeline(customer=lead) if e.title.startswith("Qualify")]

    assert entry.title == "Qualify: Lead → Prospect"
    assert entry.detail == "Qualified referral · Met at the fair"


def test_the_timeline_names_changed_fields_and_values_by_their_labels(agent, lead):
    customer_update(customer=lead, actor=agent, segment="small_business")
    preferences_update(
        customer=lead,
        actor=agent,
        language="nl",
        preferred_channel="sms",
        contact_time_from=datetime.time(18),
        contact_time_to=datetime.time(9),
    )

    details = {e.title: e.detail for e in customer_timeline(customer=lead)}

    assert details["Profile changed"] == "Segment: Residential → Small business"
    assert details["Preferences changed"] == (
        "Contact time from: — → 18:00; Contact time to: — → 09:00; "
        "Language: English → Dutch; Preferred channel: E-mail → SMS"
    )


def test_the_timeline_says_why_a_lead_was_flagged_stale_and_how_it_was_created(agent):
    lead = CustomerFactory(actor=agent, family_name="Idle", segment="enterprise")
    Customer.objects.filter(pk=lead.pk).update(
        last_activity_at=lead.last_activity_at - datetime.timedelta(days=45)
    )
    leads_flag_stale(older_than_days=30)

    details = {e.title: e.detail for e in customer_timeline(customer=lead)}

    assert details["Lead flagged as stale"] == (
        "No activity for 45 days (leads are flagged after 30)"
    )
    assert details["Customer created"] == (
        f"{lead.number} · {lead.party.display_name} · Enterprise"
    )
    assert ActionLog.objects.filter(customer=lead).count() == 2


def test_the_page_shows_the_language_by_name(client, agent, lead):
    preferences_update(customer=lead, actor=agent, language="nl")

    assert _facts(_page(client, agent, lead))["Language"] == "Dutch"


def test_the_timeline_tells_a_changed_contact_in_labels_not_as_data(agent, lead):
    medium = ContactMediumInput(kind="mobile", value="07911 123456")
    contact = contact_medium_add(customer=lead, medium=medium, actor=agent)
    contact_medium_update(
        contact=contact,
        medium=ContactMediumInput(kind="mobile", value="07400 123456", is_preferred=True),
        actor=agent,
    )

    details = {e.title: e.detail for e in customer_timeline(customer=lead)}

    assert details["Contact added"] == "Mobile +447911123456"
    assert details["Contact changed"] == (
        "Mobile +447911123456 → Mobile +447400123456 (now preferred)"
    )
