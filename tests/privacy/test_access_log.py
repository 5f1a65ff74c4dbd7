"""The access log: opening a customer's page writes one entry and reads nothing; only
administrators see who looked; entries older than CRM_ACCESS_LOG_DAYS are forgotten."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.celery import app
from customers import roles
from privacy import tasks
from privacy.access import access_log_forget
from privacy.models import AccessLogEntry
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(db):
    user = UserFactory(username="ada")
    user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    return user


@pytest.fixture
def customer(agent):
    return CustomerFactory(actor=agent, given_name="Lena", family_name="Looked-At")


def _entries_at(customer, *ages_in_days: float) -> list[AccessLogEntry]:
    now = timezone.now()
    return AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            customer=customer,
            actor_label=f"viewer {n}",
            what=AccessLogEntry.What.PAGE,
            at=now - timedelta(days=age),
        )
        for n, age in enumerate(ages_in_days)
    )


def test_opening_the_customer_page_logs_one_entry_with_one_insert(client, agent, customer):
    client.force_login(agent)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(customer.get_absolute_url())

    assert response.status_code == 200
    entry = AccessLogEntry.objects.get()
    assert (entry.customer, entry.actor, entry.actor_label, entry.what) == (
        customer,
        agent,
        "alice",
        "page",
    )
    touching_the_log = [q["sql"] for q in queries if "privacy_accesslogentry" in q["sql"]]
    assert len(touching_the_log) == 1
    assert touching_the_log[0].startswith("INSERT")


def test_each_opening_is_an_entry_of_its_own(client, agent, manager, customer):
    for viewer in (agent, manager, agent):
        client.force_login(viewer)
        client.get(customer.get_absolute_url())

    assert list(AccessLogEntry.objects.order_by("id").values_list("actor_label", flat=True)) == [
        "alice",
        "margaret",
        "alice",
    ]


def test_the_panel_shows_administrators_who_looked(client, administrator, agent, customer):
    client.force_login(agent)
    client.get(customer.get_absolute_url())
    client.force_login(administrator)

    response = client.get(customer.get_absolute_url())

    (panel,) = [
        panel
        for panel in response.context["extra_panels"]
        if panel["template"] == "privacy/_access_panel.html"
    ]
    # The administrator's own opening is logged before the panel is read.
    assert [entry.actor_label for entry in panel["entries"]] == ["ada", "alice"]
    assert "Who looked at this customer" in response.text
    assert reverse("privacy:access_log", args=[customer.number]) in response.text


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_the_panel_is_not_shown_to_other_staff(client, request, role, customer):
    client.force_login(request.getfixturevalue(role))

    response = client.get(customer.get_absolute_url())

    assert "Who looked at this customer" not in response.text


def test_the_full_log_pages_newest_first(client, administrator, customer):
    _entries_at(customer, *[n / 24 for n in range(60)])
    client.force_login(administrator)
    url = reverse("privacy:access_log", args=[customer.number])

    first = client.get(url)
    second = client.get(f"{url}?after={first.context['page'].next_cursor}")

    first_rows, second_rows = first.context["page"].rows, second.context["page"].rows
    assert len(first_rows) == 50 and len(second_rows) == 10
    assert first_rows[0].actor_label == "viewer 0"
    assert second_rows[-1].actor_label == "viewer 59"
    assert second.context["page"].next_cursor is None


def test_the_full_log_filters_by_what_was_done(client, administrator, customer):
    _entries_at(customer, 1)
    AccessLogEntry.objects.create(
        customer=customer, actor_label="margaret", what="subject_access", at=timezone.now()
    )
    client.force_login(administrator)

    response = client.get(
        reverse("privacy:access_log", args=[customer.number]), {"what": "subject_access"}
    )

    assert [entry.actor_label for entry in response.context["page"].rows] == ["margaret"]


def test_the_full_log_is_refused_to_managers(client, manager, customer):
    client.force_login(manager)

    response = client.get(reverse("privacy:access_log", args=[customer.number]))

    assert response.status_code == 403


def test_entries_older_than_the_period_are_forgotten_and_younger_kept(settings, customer):
    settings.CRM_ACCESS_LOG_DAYS = 30
    _entries_at(customer, 31, 45, 400, 29.9, 1)

    forgotten = tasks.access_log_forget()

    assert forgotten == 3
    assert sorted(AccessLogEntry.objects.values_list("actor_label", flat=True)) == [
        "viewer 3",
        "viewer 4",
    ]


def test_forgetting_goes_batch_by_batch_without_reading_the_rows(settings, customer):
    settings.CRM_ACCESS_LOG_DAYS = 30
    _entries_at(customer, *[40] * 5, 2)

    with CaptureQueriesContext(connection) as queries:
        forgotten = access_log_forget(batch=2)

    assert forgotten == 5
    assert AccessLogEntry.objects.count() == 1
    # Three DELETE statements (2, 2 and 1 rows), each choosing its batch itself.
    assert [q["sql"].split()[0] for q in queries] == ["DELETE"] * 3


def test_forgetting_runs_every_day():
    schedule = app.conf.beat_schedule

    assert "privacy.tasks.access_log_forget" in {entry["task"] for entry in schedule.values()}


def test_the_log_is_read_only_in_admin(client, administrator, customer):
    _entries_at(customer, 1)
    client.force_login(administrator)

    listed = client.get("/admin/privacy/accesslogentry/")
    adding = client.get("/admin/privacy/accesslogentry/add/")

    assert listed.status_code == 200
    assert "viewer 0" in listed.text
    assert adding.status_code == 403
