"""The lifecycle action pages say why an action cannot be taken, before anyone fills them in,
and then offer no button to take it."""

import pytest
from django.urls import reverse

from customers import roles
from customers.models import Customer, LifecycleEvent
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def _action_url(customer, action: str) -> str:
    return reverse("customers:lifecycle_action", args=[customer.number, action])


def _submit_buttons(page: str) -> int:
    """Submit buttons of the page's own content: the header's log-out button is not one."""
    main = page[page.index("<main") :]
    return main.count('type="submit"')


def test_terminating_a_lead_is_refused_on_the_page_with_no_submit_button(client, manager, lead):
    client.force_login(manager)

    response = client.get(_action_url(lead, "terminate"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Terminate relationship is not possible: Lena Lead is a lead." in page
    assert _submit_buttons(page) == 0
    assert 'name="reason"' not in page
    # What can be done with a lead instead, each a link to its own page.
    assert _action_url(lead, "qualify") in page and _action_url(lead, "establish") in page


def test_a_refused_action_posted_anyway_changes_nothing(client, manager, lead):
    client.force_login(manager)

    response = client.post(_action_url(lead, "terminate"), {"reason": "voluntary_churn"})

    assert response.status_code == 200
    assert response.context["refusal"]
    lead.refresh_from_db()
    assert lead.status == Customer.Status.LEAD
    assert not LifecycleEvent.objects.filter(customer=lead, action="terminate").exists()


def test_an_agent_on_a_manager_action_reads_who_may_and_whom_to_ask(client, agent, active_customer):
    client.force_login(agent)

    response = client.get(_action_url(active_customer, "terminate"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "Only managers may terminate a relationship. Ask a manager." in page
    assert "Your role may not" not in page
    assert _submit_buttons(page) == 0


def test_an_agent_posting_a_manager_action_is_refused_and_nothing_changes(
    client, agent, active_customer
):
    client.force_login(agent)

    response = client.post(_action_url(active_customer, "suspend"), {"reason": "non_payment"})

    assert response.status_code == 403
    active_customer.refresh_from_db()
    assert active_customer.status == Customer.Status.ACTIVE


def test_the_agent_is_offered_the_actions_their_role_allows(client, agent, lead):
    client.force_login(agent)

    response = client.get(_action_url(lead, "suspend"))

    assert response.status_code == 403
    assert response.context["refusal"] == "Only managers may suspend a customer. Ask a manager."
    assert [t.action for t in response.context["next_steps"]] == [
        "qualify",
        "establish",
        "disqualify",
    ]


def test_someone_who_may_not_see_customers_gets_the_plain_refusal(client, db):
    outsider = UserFactory(username="visitor")
    customer = CustomerFactory()
    client.force_login(outsider)

    response = client.get(_action_url(customer, "terminate"))

    assert response.status_code == 403
    assert customer.party.display_name not in response.content.decode()


@pytest.mark.parametrize(
    ("permission", "holders"),
    [
        ("customers.terminate_customer", ["manager"]),
        ("customers.qualify_customer", ["agent", "manager"]),
        ("risk.train_riskmodel", ["risk analyst"]),
        ("customers.add_invoice", ["administrator"]),
    ],
)
def test_roles_holding_a_permission_come_from_the_role_definitions(permission, holders):
    assert roles.roles_holding(permission) == holders


def test_a_refusal_names_every_role_that_may_and_asks_for_one_of_them():
    assert roles.permission_refusal(
        permission="customers.qualify_customer", doing="qualify a customer"
    ) == ("Only agents and managers may qualify a customer. Ask an agent or a manager.")
    assert roles.permission_refusal(
        permission="customers.add_invoice", doing="record invoices"
    ) == ("Only administrators may record invoices. Ask an administrator.")
