"""The task list works like every list: sortable headers, a count, an export of exactly what
it shows, saved views; everyone's tasks only for those who oversee them."""

import csv
import datetime
import io

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from crm.exports.sources import export_source
from crm.exports.writers import export_values
from crm.savedviews.models import SavedView
from customers.models import ActionLog
from tests.factories import CustomerFactory
from work import services
from work.exports import EXPORTED

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def tasks(agent, other_agent, customer):
    def task(title, owner, days, priority=2, kind="task"):
        return services.task_create(
            customer=customer,
            title=title,
            owner=owner,
            due_on=TODAY + datetime.timedelta(days=days),
            priority=priority,
            kind=kind,
            actor=owner,
        )

    return [
        task("Late call", agent, -3, kind="call"),
        task("Urgent tomorrow", agent, 1, priority=1),
        task("Next week", agent, 7, priority=3),
        task("Bob's", other_agent, 0),
    ]


def _titles(response) -> list[str]:
    return [task.title for task in response.context["page"].rows]


def test_my_tasks_are_due_first_with_their_count(client, agent, tasks):
    client.force_login(agent)
    response = client.get(reverse("work:tasks"))

    assert _titles(response) == ["Late call", "Urgent tomorrow", "Next week"]
    assert "3 open tasks" in response.content.decode()


def test_each_header_sorts_and_says_how(client, agent, tasks):
    client.force_login(agent)
    headers = client.get(reverse("work:tasks")).context["sort_headers"]
    assert headers["due"].aria_sort == "ascending"

    latest = client.get(f"{reverse('work:tasks')}?{headers['due'].query}")
    urgent = client.get(f"{reverse('work:tasks')}?{headers['priority'].query}")

    assert _titles(latest) == ["Next week", "Urgent tomorrow", "Late call"]
    assert latest.context["sort_headers"]["due"].aria_sort == "descending"
    assert _titles(urgent) == ["Urgent tomorrow", "Late call", "Next week"]
    assert urgent.context["sort_headers"]["priority"].aria_sort == "ascending"


def test_the_kind_filter_keeps_one_kind(client, agent, tasks):
    client.force_login(agent)

    assert _titles(client.get(reverse("work:tasks"), {"kind": "call"})) == ["Late call"]


def test_a_broken_page_link_is_said_not_a_server_error(client, agent, tasks):
    client.force_login(agent)
    response = client.get(reverse("work:tasks"), {"after": "not-a-cursor"})

    assert response.status_code == 200
    assert "broken" in response.content.decode()


def test_the_export_holds_what_the_list_shows_in_its_order(client, agent, tasks):
    client.force_login(agent)
    response = client.post(
        reverse("exports:start", args=["tasks"]), {"query": "sort=urgent", "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["Due", "Kind", "Task"]
    assert [row[2] for row in rows[1:]] == ["Urgent tomorrow", "Late call", "Next week"]
    assert ActionLog.objects.filter(action=EXPORTED, actor=agent).exists()


def test_an_agent_may_not_export_everyones_tasks(agent, tasks):
    with pytest.raises(Exception, match="Show"):
        export_source("tasks").query(QueryDict("show=all"), agent)


def test_a_manager_exports_everyones_tasks(manager, tasks):
    query = export_source("tasks").query(QueryDict("show=all"), manager)

    titles = [row[2] for row in export_values(query)][1:]
    assert titles == ["Late call", "Bob's", "Urgent tomorrow", "Next week"]


def test_a_saved_view_keeps_the_filters_and_sort(client, agent, tasks):
    client.force_login(agent)
    client.post(
        reverse("savedviews:save", args=["tasks"]),
        {"name": "Urgent calls", "query": "kind=call&sort=urgent&after=xyz"},
    )

    view = SavedView.objects.get(owner=agent, list_name="tasks")
    assert view.query == "kind=call&sort=urgent"
    page = client.get(reverse("work:tasks")).content.decode()
    assert "Urgent calls" in page


def test_the_list_reads_a_fixed_number_of_queries_whatever_its_length(
    client, agent, customer, django_assert_max_num_queries
):
    for n in range(30):
        services.task_create(
            customer=CustomerFactory(actor=agent) if n % 10 == 0 else customer,
            title=f"Task {n}",
            owner=agent,
            due_on=TODAY,
            actor=agent,
        )
    client.force_login(agent)
    with django_assert_max_num_queries(16):
        client.get(reverse("work:tasks"))
