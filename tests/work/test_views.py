import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from work import services
from work.models import Note, Notification, Task

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _task(customer, owner, title="Call back", days=0):
    return services.task_create(
        customer=customer,
        title=title,
        owner=owner,
        due_on=TODAY + datetime.timedelta(days=days),
        actor=owner,
    )


def test_the_customer_page_shows_open_tasks_and_notes_with_their_forms(client, agent, customer):
    _task(customer, agent, title="Send the <contract>")
    services.note_add(customer=customer, text="Pinned <b>fact</b>", actor=agent, pinned=True)
    client.force_login(agent)

    page = client.get(customer.get_absolute_url()).content.decode()

    assert 'id="work-h"' in page
    assert "Send the &lt;contract&gt;" in page
    assert "Pinned &lt;b&gt;fact&lt;/b&gt;" in page
    assert reverse("work:task_add", args=[customer.number]) in page
    assert reverse("work:note_add", args=[customer.number]) in page


def test_an_analyst_sees_the_panel_but_no_forms(client, analyst, customer):
    client.force_login(analyst)

    page = client.get(customer.get_absolute_url()).content.decode()

    assert 'id="work-h"' in page
    assert reverse("work:task_add", args=[customer.number]) not in page


def test_adding_a_task_from_the_panel_comes_back_to_the_customer(client, agent, customer):
    client.force_login(agent)

    response = client.post(
        reverse("work:task_add", args=[customer.number]),
        {"title": "Visit the shop", "kind": "visit", "due_on": TODAY, "priority": "1"},
    )

    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url() + "#work-h"
    task = Task.objects.get()
    assert (task.owner, task.kind, task.priority) == (agent, "visit", 1)


def test_a_task_without_a_title_shows_the_form_again_with_the_input_kept(client, agent, customer):
    client.force_login(agent)

    response = client.post(
        reverse("work:task_add", args=[customer.number]),
        {"title": "", "kind": "call", "due_on": "2031-02-03", "priority": "2"},
    )

    assert response.status_code == 200
    assert 'value="2031-02-03"' in response.content.decode()
    assert not Task.objects.exists()


def test_an_analyst_may_not_add_tasks_or_notes(client, analyst, customer):
    client.force_login(analyst)

    task = client.post(
        reverse("work:task_add", args=[customer.number]), {"title": "x", "due_on": TODAY}
    )
    note = client.post(reverse("work:note_add", args=[customer.number]), {"text": "x"})

    assert (task.status_code, note.status_code) == (403, 403)


def test_adding_and_pinning_a_note(client, agent, customer):
    client.force_login(agent)

    client.post(reverse("work:note_add", args=[customer.number]), {"text": "Likes e-mail"})
    note = Note.objects.get()
    client.post(reverse("work:note_pin", args=[note.pk]), {"pinned": "on"})

    note.refresh_from_db()
    assert note.pinned


def test_my_tasks_list_due_first_and_completes_one(client, agent, other_agent, customer):
    late = _task(customer, agent, title="Late one", days=-1)
    _task(customer, agent, title="Later one", days=3)
    _task(customer, other_agent, title="Bob task")
    client.force_login(agent)

    page = client.get(reverse("work:tasks")).content.decode()
    assert page.index("Late one") < page.index("Later one")
    assert "Bob task" not in page
    assert "Bob task" in client.get(reverse("work:tasks") + "?show=team").content.decode()

    client.post(reverse("work:task_complete", args=[late.pk]))
    late.refresh_from_db()
    assert late.state == Task.State.DONE


def test_only_managers_may_list_everyones_tasks(client, agent, manager, customer):
    client.force_login(agent)
    refused = client.get(reverse("work:tasks") + "?show=all")
    client.force_login(manager)
    allowed = client.get(reverse("work:tasks") + "?show=all")

    assert "Select a valid choice" in refused.content.decode()
    assert allowed.context["show"] == "all"


def test_completing_needs_a_post(client, agent, customer):
    task = _task(customer, agent)
    client.force_login(agent)

    assert client.get(reverse("work:task_complete", args=[task.pk])).status_code == 405


def test_reassigning_a_task(client, agent, other_agent, customer):
    task = _task(customer, agent)
    client.force_login(agent)

    response = client.post(reverse("work:task_assign", args=[task.pk]), {"owner": other_agent.pk})

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.owner == other_agent
    assert Notification.objects.filter(recipient=other_agent, kind="assigned").exists()


def test_the_header_badge_counts_my_unread_notices(client, agent, other_agent, customer):
    services.notification_send(recipient=agent, kind="approval", text="Approve the refund")
    services.notification_send(recipient=other_agent, kind="approval", text="Not mine")
    client.force_login(agent)

    page = client.get(reverse("work:tasks")).content.decode()

    assert "Notifications, 1 unread" in page  # the link's label


def test_the_notifications_page_lists_mine_and_marks_them_read(client, agent, other_agent):
    services.notification_send(recipient=agent, kind="approval", text="Approve the refund")
    theirs = services.notification_send(recipient=other_agent, kind="approval", text="Not mine")
    client.force_login(agent)

    page = client.get(reverse("work:notifications")).content.decode()
    assert "Approve the refund" in page and "Not mine" not in page

    client.post(reverse("work:notifications_read"), {"notification": theirs.pk})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(reverse("work:notifications_read"))
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()


def test_the_home_list_template_shows_my_work(client, agent, customer):
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    _task(customer, agent, title="Ring Ada", days=-1)
    request = RequestFactory().get("/")
    request.user = agent

    html = render_to_string(
        "work/_home_tasks.html", {"user": agent, "perms": _perms(agent)}, request
    )

    assert "Ring Ada" in html and "overdue" in html


def _perms(user):
    from django.contrib.auth.context_processors import PermWrapper

    return PermWrapper(user)
