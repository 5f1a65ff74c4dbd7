""" "Create a task" on the customer list: the work app's bulk action, its own form on the
confirmation page, one task and one audit entry per customer."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.bulk import BULK_FORM_PREFIX, bulk_action
from customers.models import ActionLog, BulkActionRun, Customer
from tests.factories import CustomerFactory
from work.models import Task

pytestmark = pytest.mark.django_db

BULK = reverse("customers:bulk")
DUE = timezone.localdate() + datetime.timedelta(days=3)


def _inputs(**fields):
    return {f"{BULK_FORM_PREFIX}-{name}": value for name, value in fields.items()}


def _task_inputs(**overrides):
    fields = {"title": "Offer the fibre upgrade", "owner": "", "due_on": DUE.isoformat()}
    fields["priority"] = str(Task.Priority.HIGH)
    return _inputs(**(fields | overrides))


@pytest.fixture
def leads(agent):
    return [CustomerFactory(actor=agent, family_name=f"Lead{n}") for n in range(3)]


def test_the_list_offers_create_a_task_to_who_may_add_tasks(client, agent, leads):
    client.force_login(agent)
    text = client.get(reverse("customers:list")).content.decode()
    assert 'value="create_tasks"' in text


def test_the_confirmation_asks_for_the_task(client, agent, leads):
    client.force_login(agent)
    page = client.post(BULK, {"action": "create_tasks", "scope": "selected", "ids": [leads[0].pk]})
    text = page.content.decode()
    assert page.status_code == 200
    assert "<strong>1</strong> customer" in text
    for name in ("title", "owner", "due_on", "priority"):
        assert f'name="{BULK_FORM_PREFIX}-{name}"' in text
    assert f'<option value="{agent.pk}">' in text
    assert not Task.objects.exists()


def test_ticked_rows_each_get_the_task_and_one_audit_entry(client, agent, other_agent, leads):
    client.force_login(agent)
    ticked = leads[:2]
    page = client.post(
        BULK,
        {
            "action": "create_tasks",
            "scope": "selected",
            "ids": [c.pk for c in ticked],
            "confirmed": "yes",
            **_task_inputs(owner=str(other_agent.pk)),
        },
    )
    text = page.content.decode()
    assert "Create a task: 2 of 2 done" in text
    tasks = Task.objects.all()
    assert {task.customer_id for task in tasks} == {c.pk for c in ticked}
    assert {(t.title, t.owner, t.due_on, t.priority, t.created_by) for t in tasks} == {
        ("Offer the fibre upgrade", other_agent, DUE, Task.Priority.HIGH, agent)
    }
    logs = ActionLog.objects.filter(action="task.created")
    assert sorted(log.customer_id for log in logs) == sorted(c.pk for c in ticked)


def test_all_filtered_rows_get_the_task_kept_by_whoever_asked(client, agent, leads, customer):
    client.force_login(agent)
    page = client.post(
        BULK,
        {
            "action": "create_tasks",
            "scope": "all",
            "query": "status=lead",
            "confirmed": "yes",
            **_task_inputs(),
        },
    )
    assert "3 of 3 done" in page.content.decode()
    assert {t.customer_id for t in Task.objects.all()} == {c.pk for c in leads}
    assert set(Task.objects.values_list("owner", flat=True)) == {agent.pk}
    assert not Task.objects.filter(customer=customer).exists()
    assert ActionLog.objects.filter(action="task.created").count() == 3


def test_a_missing_title_is_asked_for_again_and_nothing_is_created(client, agent, leads):
    client.force_login(agent)
    page = client.post(
        BULK,
        {
            "action": "create_tasks",
            "scope": "selected",
            "ids": [leads[0].pk],
            "confirmed": "yes",
            **_task_inputs(title=""),
        },
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Correct the fields below." in text
    assert "This field is required." in text
    # What was given is kept for the next try.
    assert f'value="{DUE.isoformat()}"' in text
    assert not Task.objects.exists()
    assert not ActionLog.objects.filter(action="task.created").exists()


def test_an_owner_who_is_not_staff_is_refused_by_the_form(client, agent, leads):
    from tests.factories import UserFactory

    outsider = UserFactory(username="outsider", is_staff=False)
    client.force_login(agent)
    page = client.post(
        BULK,
        {
            "action": "create_tasks",
            "scope": "selected",
            "ids": [leads[0].pk],
            "confirmed": "yes",
            **_task_inputs(owner=str(outsider.pk)),
        },
    )
    assert "Select a valid choice" in page.content.decode()
    assert not Task.objects.exists()


def test_who_may_not_add_tasks_neither_sees_nor_posts_the_action(client, analyst, leads):
    assert not analyst.has_perm("work.add_task")
    client.force_login(analyst)
    text = client.get(reverse("customers:list")).content.decode()
    assert 'value="create_tasks"' not in text
    for confirmed in ("", "yes"):
        response = client.post(
            BULK,
            {
                "action": "create_tasks",
                "scope": "selected",
                "ids": [leads[0].pk],
                "confirmed": confirmed,
                **_task_inputs(),
            },
        )
        assert response.status_code == 403
    assert not Task.objects.exists()


def test_a_merged_away_customer_is_refused_and_the_others_get_their_task(agent, leads):
    merged_before, merged_meanwhile, kept = leads
    Customer.objects.filter(pk__in=[merged_before.pk, merged_meanwhile.pk]).update(merged_into=kept)
    merged_before.refresh_from_db()  # merged_meanwhile is still read as it was
    options = {"title": "Call", "owner": None, "due_on": DUE, "priority": Task.Priority.NORMAL}

    outcomes = bulk_action("create_tasks").apply_many(leads, agent, options)

    assert [(o.customer, o.done) for o in outcomes] == [
        (merged_before, False),
        (merged_meanwhile, False),
        (kept, True),
    ]
    assert outcomes[0].message == (
        f"Customer {merged_before.number} was merged into another; add the task there."
    )
    assert "merged into another" in outcomes[1].message
    assert list(Task.objects.values_list("customer", flat=True)) == [kept.pk]
    assert ActionLog.objects.filter(action="task.created").count() == 1


def test_a_large_selection_creates_the_tasks_in_the_background(
    client, agent, leads, monkeypatch, tasks_in_process, django_capture_on_commit_callbacks
):
    from customers import bulk

    monkeypatch.setattr(bulk, "BULK_INLINE_LIMIT", 2)
    monkeypatch.setattr(bulk, "BULK_CHUNK_IDS", 2)
    monkeypatch.setattr("customers.views.bulk.BULK_INLINE_LIMIT", 2)
    client.force_login(agent)
    form = {"action": "create_tasks", "scope": "all", "query": "", "confirmed": "yes"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(BULK, form | _task_inputs())
    run = BulkActionRun.objects.get()
    assert response.url == reverse("customers:bulk_run", args=[run.pk])
    assert run.options["form"][f"{BULK_FORM_PREFIX}-title"] == "Offer the fibre upgrade"
    assert (run.status, run.rows_done, run.rows_refused) == ("done", 3, 0)
    assert Task.objects.filter(title="Offer the fibre upgrade").count() == 3
    assert ActionLog.objects.filter(action="task.created").count() == 3
