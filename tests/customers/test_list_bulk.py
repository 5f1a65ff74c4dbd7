"""Bulk actions from the customer list: confirm first, then each row through its service."""

import pytest
from django.urls import reverse

from customers.models import ActionLog, BulkActionRun, Customer
from tests.factories import CustomerFactory

BULK = reverse("customers:bulk")


@pytest.fixture
def leads(agent):
    return [CustomerFactory(actor=agent, family_name=f"Lead{n}") for n in range(3)]


def test_the_confirmation_says_how_many_and_how_many_will_be_refused(
    client, agent, leads, active_customer
):
    client.force_login(agent)
    ids = [c.pk for c in leads] + [active_customer.pk]
    page = client.post(BULK, {"action": "qualify", "scope": "selected", "ids": ids})
    text = page.content.decode()
    assert page.status_code == 200
    assert "<strong>4</strong> customers" in text
    assert "3 can be moved" in text and "1 will be refused" in text
    assert Customer.objects.filter(status=Customer.Status.PROSPECT).count() == 0


def test_a_confirmed_transition_reports_each_row_done_or_refused_with_the_reason(
    client, agent, leads, active_customer
):
    client.force_login(agent)
    ids = [c.pk for c in leads] + [active_customer.pk]
    page = client.post(
        BULK,
        {"action": "qualify", "scope": "selected", "ids": ids, "confirmed": "yes"},
    )
    text = page.content.decode()
    assert "3 of 4 done" in text
    assert f"Cannot qualify customer {active_customer.number}: it is active." in text
    assert Customer.objects.filter(status=Customer.Status.PROSPECT).count() == 3
    assert ActionLog.objects.filter(action="customer.qualify").count() == 3


def test_assigning_a_manager_to_all_filtered_rows_goes_through_customer_update(
    client, agent, manager, leads, active_customer
):
    client.force_login(agent)
    page = client.post(
        BULK,
        {
            "action": "assign_manager",
            "scope": "all",
            "query": "status=lead",
            "manager": manager.pk,
            "confirmed": "yes",
        },
    )
    assert "3 of 3 done" in page.content.decode()
    assert set(Customer.objects.filter(account_manager=manager)) == set(leads)
    active_customer.refresh_from_db()
    assert active_customer.account_manager is None


def test_a_bulk_action_needs_the_permission_of_that_action(client, agent, active_customer):
    client.force_login(agent)
    response = client.post(
        BULK,
        {"action": "suspend", "scope": "selected", "ids": [active_customer.pk], "confirmed": "yes"},
    )
    assert response.status_code == 403
    active_customer.refresh_from_db()
    assert active_customer.status == Customer.Status.ACTIVE


def test_the_list_offers_only_the_actions_the_user_may_take(client, agent, leads):
    client.force_login(agent)
    text = client.get(reverse("customers:list")).content.decode()
    assert 'value="qualify"' in text and 'value="suspend"' not in text
    assert f'<label for="pick-{leads[0].pk}" class="visually-hidden">Tick {leads[0].number}' in text


def test_nothing_ticked_says_so(client, agent, leads):
    client.force_login(agent)
    page = client.post(BULK, {"action": "qualify", "scope": "selected"})
    assert "Tick the customers to act on" in page.content.decode()


def test_a_bulk_action_is_a_post_with_csrf(agent, leads):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    assert strict.post(BULK, {"action": "qualify", "ids": [leads[0].pk]}).status_code == 403
    assert strict.get(BULK).status_code == 405


def test_a_large_selection_runs_in_the_background_and_keeps_each_refusal(
    client,
    agent,
    leads,
    active_customer,
    monkeypatch,
    tasks_in_process,
    django_capture_on_commit_callbacks,
):
    from customers import bulk

    monkeypatch.setattr(bulk, "BULK_INLINE_LIMIT", 2)
    monkeypatch.setattr(bulk, "BULK_CHUNK_IDS", 2)
    monkeypatch.setattr("customers.views.bulk.BULK_INLINE_LIMIT", 2)
    client.force_login(agent)
    form = {"action": "qualify", "scope": "all", "query": "", "confirmed": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, form)
    run = BulkActionRun.objects.get()
    assert response.url == reverse("customers:bulk_run", args=[run.pk])
    assert (run.status, run.chunks_total, run.rows_done, run.rows_refused) == ("done", 2, 3, 1)
    page = client.get(response.url).content.decode()
    assert f"Cannot qualify customer {active_customer.number}" in page
    assert Customer.objects.filter(status=Customer.Status.PROSPECT).count() == 3


def test_a_background_run_is_shown_to_its_owner_only(client, agent, other_agent, leads):
    from customers.bulk import bulk_action, customers_bulk_start

    run = customers_bulk_start(
        action=bulk_action("qualify"),
        actor=agent,
        options={},
        scope="selected",
        query="",
        customer_ids=[leads[0].pk],
    )
    client.force_login(other_agent)
    assert client.get(reverse("customers:bulk_run", args=[run.pk])).status_code == 404
