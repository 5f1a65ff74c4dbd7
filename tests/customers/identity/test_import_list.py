"""The import list: keyset pages under its filters, a sortable time column, a count, exports of
exactly what it shows and saved views, all for whoever may read imports only."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.savedviews.models import SavedView
from customers.identity import selectors
from customers.identity.exports import EXPORTED
from customers.identity.models import ImportJob
from customers.models import ActionLog

pytestmark = pytest.mark.django_db

LIST = reverse("identity:imports")
EXPORT = reverse("exports:start", args=["imports"])
SAVE = reverse("savedviews:save", args=["imports"])
Kind, Status = ImportJob.Kind, ImportJob.Status


def _import(name, *, by, kind=Kind.CUSTOMERS, status=Status.DONE, failed=0, days_ago=0):
    return ImportJob.objects.create(
        kind=kind,
        file=f"imports/{name}",
        original_name=name,
        uploaded_by=by,
        status=status,
        requested_at=timezone.now() - timedelta(days=days_ago),
        rows_total=10,
        rows_done=10,
        rows_created=10 - failed,
        rows_failed=failed,
    )


@pytest.fixture
def imports(manager):
    """Three imports, oldest first: two of customers (one failed), one of invoices."""
    return [
        _import("january.csv", by=manager, days_ago=3),
        _import("broken.csv", by=manager, status=Status.FAILED, failed=10, days_ago=2),
        _import("invoices.csv", by=manager, kind=Kind.INVOICES, days_ago=1),
    ]


def _names(response) -> list[str]:
    return [job.original_name for job in response.context["page"].rows]


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_import_list_shows_the_newest_import_first(client, manager, imports):
    client.force_login(manager)
    response = client.get(LIST)
    assert _names(response) == ["invoices.csv", "broken.csv", "january.csv"]
    assert response.context["sort_headers"]["requested"].aria_sort == "descending"


def test_following_the_requested_header_sorts_the_oldest_first(client, manager, imports):
    client.force_login(manager)
    header = client.get(LIST, {"status": "done"}).context["sort_headers"]["requested"]
    assert header.query == "status=done&sort=oldest"

    response = client.get(f"{LIST}?{header.query}")

    assert _names(response) == ["january.csv", "invoices.csv"]
    assert response.context["sort_headers"]["requested"].aria_sort == "ascending"
    assert 'aria-sort="ascending"><a href="?status=done&amp;sort=newest"' in (
        response.content.decode()
    )


def test_the_import_list_filters_by_status_and_kind(client, manager, imports):
    client.force_login(manager)
    assert _names(client.get(LIST, {"status": "failed"})) == ["broken.csv"]
    assert _names(client.get(LIST, {"kind": "customers"})) == ["broken.csv", "january.csv"]
    assert _names(client.get(LIST, {"kind": "invoices", "status": "failed"})) == []


def test_the_import_list_says_how_many_imports_the_filters_select(client, manager, imports):
    client.force_login(manager)
    assert '<p class="list-count" id="import-count">3 imports</p>' in (
        client.get(LIST).content.decode()
    )
    assert '<p class="list-count" id="import-count">1 import</p>' in (
        client.get(LIST, {"status": "failed"}).content.decode()
    )


def test_a_page_of_the_import_list_counts_every_import_the_filters_select(manager, imports):
    first = selectors.import_list(page_size=2)
    second = selectors.import_list(page_size=2, after=first.next_cursor)

    assert [job.original_name for job in second.rows] == ["january.csv"]
    assert (first.count.rows, first.count.exact) == (3, True)
    assert (second.count.rows, second.count.exact) == (3, True)


def test_the_next_page_link_leads_to_the_imports_after_the_first_page(client, manager):
    ImportJob.objects.bulk_create(
        ImportJob(
            kind=Kind.CUSTOMERS,
            file=f"imports/{n}.csv",
            original_name=f"{n:02}.csv",
            status=Status.DONE,
            requested_at=timezone.now(),
        )
        for n in range(selectors.IMPORT_PAGE_SIZE + 1)
    )
    client.force_login(manager)
    first = client.get(LIST, {"sort": "oldest"}).context["page"]

    after = client.get(LIST, {"sort": "oldest", "after": first.next_cursor})

    assert [job.original_name for job in after.context["page"].rows] == ["50.csv"]
    assert b'<p class="list-count" id="import-count">51 imports</p>' in after.content


def test_a_tampered_page_link_shows_an_error_and_no_rows(client, manager, imports):
    client.force_login(manager)
    response = client.get(LIST, {"after": "not-a-cursor"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "That page link is broken" in response.content.decode()


def test_an_unknown_status_shows_on_its_filter_and_no_rows(client, manager, imports):
    client.force_login(manager)
    response = client.get(LIST, {"status": "lost"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "No rows are shown until the filters are fixed." in response.content.decode()


def test_a_csv_export_holds_exactly_the_filtered_imports_in_the_list_order(
    client, manager, imports
):
    client.force_login(manager)
    response = client.post(EXPORT, {"query": "kind=customers&sort=oldest", "format": "csv"})

    assert response["Content-Disposition"].startswith('attachment; filename="imports-')
    rows = _csv_rows(response)
    assert rows[0] == [
        "Import",
        "File",
        "Kind",
        "Uploaded by",
        "Requested",
        "Finished",
        "Status",
        "Rows",
        "Created",
        "Skipped",
        "Failed",
        "Queued as duplicates",
        "Error",
    ]
    assert [(row[1], row[3], row[6], row[10]) for row in rows[1:]] == [
        ("january.csv", manager.username, "Done", "0"),
        ("broken.csv", manager.username, "Failed", "10"),
    ]


def test_an_export_is_recorded_with_its_filters(client, manager, imports):
    client.force_login(manager)
    b"".join(client.post(EXPORT, {"query": "status=failed", "format": "xlsx"}).streaming_content)

    entry = ActionLog.objects.get(action=EXPORTED)
    assert entry.actor == manager
    assert entry.data == {"format": "xlsx", "rows": 1, "filters": "status=failed"}


def test_an_export_under_a_bad_filter_is_refused_and_writes_nothing(client, manager, imports):
    client.force_login(manager)
    response = client.post(EXPORT, {"query": "kind=pictures", "format": "csv"}, follow=True)
    assert "Select a valid choice." in response.content.decode()
    assert not ActionLog.objects.filter(action=EXPORTED).exists()


def test_a_saved_view_keeps_the_filters_and_applies_them(client, manager, imports):
    client.force_login(manager)
    response = client.post(SAVE, {"name": "Failures", "query": "status=failed&after=abc"})

    view = SavedView.objects.get()
    assert (view.owner, view.list_name, view.query) == (manager, "imports", "status=failed")
    assert response["Location"] == f"{LIST}?status=failed"
    assert '<a href="?status=failed">Failures</a>' in client.get(LIST).content.decode()
    assert _names(client.get(response["Location"])) == ["broken.csv"]


def test_whoever_may_not_read_imports_gets_no_list_export_or_saved_view(client, agent, imports):
    client.force_login(agent)
    assert client.get(LIST).status_code == 403
    assert client.post(EXPORT, {"query": "", "format": "csv"}).status_code == 403
    assert client.post(SAVE, {"name": "Mine", "query": ""}).status_code == 403
    assert not SavedView.objects.exists()
