"""The customer page shows each part only to someone allowed to see it: the four roles see the
whole customer, a custom group allowed only to view customers sees who the customer is and
nothing more, and what a viewer may not see is not even read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers import roles
from customers.models import (
    ActionLog,
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    CustomerRelationship,
    Interaction,
    Invoice,
    LifecycleEvent,
    Subscription,
)
from customers.selectors import customer_360
from customers.services import ContactMediumInput, consent_record, contact_medium_add
from tests.customers.viewers import custom_group_member, role_member
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    InvoiceFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db

# Each part of the page, by the id of its heading.
PARTS = ["contact-h", "comm-h", "billing-h", "products-h", "relations-h", "history-h", "timeline-h"]


@pytest.fixture
def customer():
    customer = CustomerFactory(
        status=Customer.Status.ACTIVE,
        given_name="Ada",
        family_name="Active",
        national_id="QQ123456C",
        contact_media=[ContactMediumInput(kind="email", value="ada@active.example")],
    )
    contact_medium_add(
        customer=customer,
        medium=ContactMediumInput(kind="mobile", value="+44 7911 123456"),
        actor=None,
    )
    consent_record(
        customer=customer,
        channel="email",
        purpose="surveys",
        granted=True,
        source="web",
        actor=None,
    )
    SubscriptionFactory(customer=customer)
    InvoiceFactory(customer=customer, number="INV-PERM-1")
    InteractionFactory(customer=customer, summary="Asked about roaming charges")
    return customer


def _page(client, user, customer) -> str:
    client.force_login(user)
    response = client.get(customer.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "role", [roles.AGENT, roles.MANAGER, roles.RISK_ANALYST, roles.ADMINISTRATOR]
)
def test_every_role_sees_every_part_of_the_customer(client, customer, role):
    page = _page(client, role_member(role), customer)

    for part in PARTS:
        assert f'id="{part}"' in page
    assert "QQ123456C" in page
    assert "ada@active.example" in page
    assert "INV-PERM-1" in page
    assert "Asked about roaming charges" in page


def test_a_group_allowed_only_to_view_customers_sees_who_the_customer_is_and_nothing_more(
    client, customer
):
    page = _page(client, custom_group_member("customers.view_customer"), customer)

    assert "Ada Active" in page and customer.number in page
    assert 'id="customer-status"' in page and "Customer since" in page
    for part in PARTS:
        assert f'id="{part}"' not in page
    for hidden in ("QQ123456C", "ada@active.example", "INV-PERM-1", "Asked about roaming"):
        assert hidden not in page
    # No lifecycle action, no edit link, no panel of another app.
    assert "Suspend" not in page and "Record interaction" not in page
    assert ">Edit</a>" not in page
    assert 'id="scores-h"' not in page and 'id="surveys-h"' not in page


def test_the_page_reads_nothing_the_viewer_may_not_see(customer):
    viewer = custom_group_member("customers.view_customer")
    unseen = [
        model._meta.db_table
        for model in (
            CommunicationPreferences,
            ContactMedium,
            Consent,
            Subscription,
            Invoice,
            Interaction,
            ActionLog,
            LifecycleEvent,
            CustomerRelationship,
        )
    ]

    with CaptureQueriesContext(connection) as queries:
        context = customer_360(customer=customer, viewer=viewer)

    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert [table for table in unseen if f'"{table}"' in read] == []
    assert context["shown"] == set()


def test_the_timeline_leaves_out_the_changes_of_parts_the_viewer_may_not_see(client, customer):
    page = _page(
        client, custom_group_member("customers.view_customer", "customers.view_actionlog"), customer
    )

    assert 'id="timeline-h"' in page
    assert "Customer created" in page
    assert "Contact added" not in page and "Consent granted" not in page
    assert "Asked about roaming" not in page  # interactions need their own permission


def test_each_part_comes_with_its_own_permission(client, customer):
    viewer = custom_group_member(
        "customers.view_customer", "customers.view_contactmedium", "customers.view_subscription"
    )

    page = _page(client, viewer, customer)

    assert 'id="contact-h"' in page and "ada@active.example" in page
    assert 'id="products-h"' in page
    for part in ("comm-h", "billing-h", "relations-h", "history-h", "timeline-h"):
        assert f'id="{part}"' not in page
