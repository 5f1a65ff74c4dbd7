"""Bulk actions start from the retention work list as from the customer list: on the ticked
rows or on every row its filters show, through the same confirmation, services and job."""

import pytest
from django.urls import reverse

from customers.models import BulkActionRun, Customer
from tests.risk.test_retention_list import scored  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

RETENTION = reverse("risk:retention")
BULK = reverse("customers:bulk")
# Churn risk 50 % or more: ``at_risk`` (0.5) and ``churning`` (0.9), not ``valuable`` (0.02).
FILTERS = "churn_at_least=0.5"


def _managed_by(user) -> set[int]:
    return set(Customer.objects.filter(account_manager=user).values_list("pk", flat=True))


def test_the_list_offers_a_bulk_bar_whose_rows_are_its_customers(client, agent, scored):  # noqa: F811
    client.force_login(agent)
    text = client.get(RETENTION, {"churn_at_least": "0.5"}).content.decode()
    assert 'name="list" value="retention"' in text
    assert f'name="query" value="{FILTERS}"' in text
    for customer in scored[:2]:
        assert f'name="ids" value="{customer.pk}"' in text
    assert f'name="ids" value="{scored[2].pk}"' not in text


def test_all_filtered_rows_are_the_rows_the_retention_filters_show(
    client,
    agent,
    manager,
    scored,  # noqa: F811
):
    at_risk, churning, _valuable = scored
    client.force_login(agent)
    form = {"action": "assign_manager", "scope": "all", "list": "retention", "query": FILTERS}
    confirmation = client.post(BULK, form).content.decode()
    assert "<strong>2</strong> customers" in confirmation
    assert f'href="{RETENTION}?{FILTERS}"' in confirmation

    result = client.post(BULK, form | {"manager": manager.pk, "confirmed": "yes"})
    assert "2 of 2 done" in result.content.decode()
    assert _managed_by(manager) == {at_risk.pk, churning.pk}


def test_a_broken_retention_filter_is_said_and_changes_nothing(client, agent, manager, scored):  # noqa: F811
    client.force_login(agent)
    page = client.post(
        BULK,
        {
            "action": "assign_manager",
            "scope": "all",
            "list": "retention",
            "query": "churn_at_least=lots",
            "manager": manager.pk,
            "confirmed": "yes",
        },
    )
    assert page.status_code == 200
    assert "Churn risk: Select a valid choice." in page.content.decode()
    assert _managed_by(manager) == set()


def test_an_unknown_list_is_said(client, agent, scored):  # noqa: F811
    client.force_login(agent)
    page = client.post(
        BULK, {"action": "assign_manager", "scope": "all", "list": "nowhere", "query": ""}
    )
    assert page.status_code == 200
    assert "Unknown list" in page.content.decode()


@pytest.mark.usefixtures("scored")
def test_whoever_may_not_read_scores_cannot_select_by_them(client, agent, django_user_model):
    from django.contrib.auth.models import Permission

    clerk = django_user_model.objects.create_user("clerk", password="x", is_staff=True)
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=("view_customer", "change_customer"))
    )
    client.force_login(clerk)
    form = {"action": "assign_manager", "scope": "all", "list": "retention", "query": FILTERS}
    assert client.post(BULK, form).status_code == 403


def test_a_large_selection_runs_as_a_job_that_remembers_its_list(
    client,
    agent,
    manager,
    scored,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    from customers import bulk

    monkeypatch.setattr(bulk, "BULK_INLINE_LIMIT", 1)
    monkeypatch.setattr(bulk, "BULK_CHUNK_IDS", 1)
    monkeypatch.setattr("customers.views.bulk.BULK_INLINE_LIMIT", 1)
    client.force_login(agent)
    form = {
        "action": "assign_manager",
        "scope": "all",
        "list": "retention",
        "query": FILTERS,
        "manager": manager.pk,
        "confirmed": "yes",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, form)
    run = BulkActionRun.objects.get()
    assert (run.list_name, run.status, run.chunks_total, run.rows_done) == (
        "retention",
        "done",
        2,
        2,
    )
    assert _managed_by(manager) == {scored[0].pk, scored[1].pk}
    page = client.get(response.url).content.decode()
    assert f'href="{RETENTION}?{FILTERS}"' in page
