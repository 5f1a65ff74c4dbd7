"""Headless Chromium walks the flows a new user stumbled on: a manager terminates a customer
whose bill is not yet due, issues a partner token and reloads its page, merges a duplicate only
after confirming, resolves an open interaction and gives a customer a product."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.identity.services.identity import (
    candidates_for_profile,
    duplicate_pair_record,
    party_profiles,
)
from customers.models import ContactMedium, Customer, Interaction, Subscription
from customers.partners.models import ApiToken
from customers.services import ContactMediumInput, interaction_record
from tests.factories import CustomerFactory, InvoiceFactory, PartnerFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser_page, manager):
    browser_page.goto("/login/?next=/customers/")
    browser_page.get_by_label("Username").fill(manager.username)
    browser_page.get_by_label("Password").fill("correct horse battery staple")
    browser_page.get_by_role("button", name="Log in").click()
    browser_page.get_by_role("heading", name="Customers").wait_for()
    return browser_page


def test_a_manager_terminates_for_a_competitor_while_the_bill_is_not_yet_due(page, active_customer):
    InvoiceFactory(customer=active_customer, amount=Decimal("28.00"))
    page.goto(active_customer.get_absolute_url())

    page.get_by_role("link", name="Terminate relationship").click()
    assert "€28.00" in page.get_by_label("What the customer owes today").inner_text()
    page.get_by_label("Reason").select_option(label="Moved to a competitor")
    page.get_by_role("button", name="Terminate relationship").click()

    page.get_by_text("Terminate relationship: done").wait_for()
    assert page.locator("#customer-status").inner_text() == "Terminated"
    assert "Final bill" in page.content()
    active_customer.refresh_from_db()
    assert active_customer.status_reason == "competitor"


def test_a_reloaded_token_page_issues_no_second_token(page):
    partner = PartnerFactory(name="Blue MVNO")
    page.goto(f"/partners/{partner.pk}/tokens/new/")
    page.get_by_label("Name").fill("billing sync")
    page.get_by_label("Read customers").check()
    page.get_by_role("button", name="Issue token").click()
    secret = page.locator("#token-secret").inner_text()

    page.reload()

    page.get_by_role("heading", name="Token “billing sync” already shown").wait_for()
    assert secret not in page.content()
    assert ApiToken.objects.filter(partner=partner).count() == 1


def test_a_merge_happens_only_after_the_manager_confirms_it(page, agent):
    email = [ContactMediumInput(kind=ContactMedium.Kind.EMAIL, value="zoe@example.com")]
    kept = CustomerFactory(
        actor=agent,
        given_name="Zoe",
        family_name="Muller",
        birth_date=datetime.date(1985, 3, 14),
        status=Customer.Status.ACTIVE,
        contact_media=email,
    )
    twin = CustomerFactory(
        actor=agent, given_name="Zoe", family_name="Muller", birth_date=datetime.date(1985, 3, 14)
    )
    profile = party_profiles([twin.party_id])[twin.party_id]
    (match,) = [m for m in candidates_for_profile(profile) if m.customer == kept]
    pair = duplicate_pair_record(first=kept, second=twin, match=match.match, source="scan")
    page.goto(f"/customers/duplicates/{pair.pk}/")

    page.get_by_label(kept.number, exact=False).first.check()
    page.get_by_role("button", name="Merge…").click()

    page.get_by_text("This cannot be undone.").wait_for()
    twin.refresh_from_db()
    assert twin.merged_into is None
    page.get_by_role("button", name="Merge for good").click()
    page.wait_for_url(f"**{kept.get_absolute_url()}")
    twin.refresh_from_db()
    assert twin.merged_into == kept


def test_an_open_interaction_is_resolved_from_the_open_list(page, manager, active_customer):
    interaction = interaction_record(
        customer=active_customer,
        actor=manager,
        channel="phone",
        direction="inbound",
        kind="complaint",
        summary="No signal at home since Monday",
        outcome="open",
    )
    page.get_by_role("link", name="Interactions").click()
    page.get_by_role("link", name=f"Resolve the interaction with {active_customer.number}").click()
    page.get_by_label("Note").fill("Mast repaired")
    page.get_by_role("button", name="Resolve").click()

    page.get_by_text("resolved.").wait_for()
    interaction.refresh_from_db()
    assert interaction.outcome == Interaction.Outcome.RESOLVED
    assert interaction.closed_by == manager


def test_a_product_is_added_from_the_customer_page(page, active_customer):
    ProductFactory(code="FIB-500", name="Fibre 500", family="broadband", list_price="35.00")
    page.goto(active_customer.get_absolute_url())

    page.locator("#products-h").get_by_role("link", name="Add").click()
    page.get_by_label("Product").select_option(label="Fibre 500")
    page.get_by_role("button", name="Add product").click()

    page.get_by_text("Fibre 500 added.").wait_for()
    subscription = Subscription.objects.get(customer=active_customer)
    assert subscription.start_date == timezone.localdate()
    assert subscription.status == Subscription.Status.ACTIVE
