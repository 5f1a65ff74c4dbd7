"""Exports of the customer list: exactly what the filters show, safe in a spreadsheet, small ones
streamed, large ones written by the job mechanism chunk by chunk for their owner only."""

import csv
import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse

from crm.exports import services, writers
from crm.exports.models import ExportJob
from crm.exports.sources import export_source
from customers import roles
from customers.exports import EXPORTED
from customers.models import ActionLog, Customer
from tests.customers.conftest import _staff_in
from tests.factories import CustomerFactory, UserFactory

START = reverse("exports:start", args=["customers"])


@pytest.fixture
def agent(db):
    return _staff_in(roles.AGENT, "alice")


@pytest.fixture
def other_agent(db):
    return _staff_in(roles.AGENT, "bob")


@pytest.fixture
def base(agent):
    return [
        CustomerFactory(actor=agent, family_name=f"Active{n}", status=Customer.Status.ACTIVE)
        for n in range(5)
    ] + [CustomerFactory(actor=agent, given_name="=SUM(1)", family_name="Evans")]


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_parts(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_a_small_csv_export_holds_exactly_the_filtered_rows_in_the_list_order(client, agent, base):
    client.force_login(agent)
    response = client.post(START, {"query": "status=active&sort=oldest", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    rows = _csv_rows(response)
    assert rows[0][:4] == ["Number", "Name", "Status", "Segment"]
    assert [row[0] for row in rows[1:]] == [c.number for c in base[:5]]


def test_an_export_neutralises_formulas_in_csv_and_xlsx(client, agent, base):
    client.force_login(agent)
    rows = _csv_rows(client.post(START, {"query": "q=evans", "format": "csv"}))
    assert rows[1][1] == "'=SUM(1) Evans"

    response = client.post(START, {"query": "", "format": "xlsx"})
    assert response.status_code == 200
    parts = _xlsx_parts(b"".join(response.streaming_content))
    assert 'quotePrefix="1"' in parts["xl/styles.xml"]
    assert "<f>" not in parts["xl/worksheets/sheet1.xml"]


def test_a_formula_text_cell_in_xlsx_carries_the_quote_prefix():
    target = io.BytesIO()
    writers.xlsx_write(target, [["Name", "Amount"], ["=1+1", 12.5], ["plain", -3]], sheet="T")
    sheet = _xlsx_parts(target.getvalue())["xl/worksheets/sheet1.xml"]
    assert "=1+1" in sheet and "<f>" not in sheet
    assert "<v>12.5</v>" in sheet


def test_every_export_is_in_the_audit_log(client, agent, base):
    client.force_login(agent)
    client.post(START, {"query": "status=active", "format": "csv"})
    entry = ActionLog.objects.get(action=EXPORTED)
    assert entry.actor == agent
    assert entry.data == {"format": "csv", "rows": 5, "filters": "status=active"}


def test_an_export_needs_the_list_permission_and_a_post(client, base):
    nobody = UserFactory(username="nobody")
    client.force_login(nobody)
    assert client.post(START, {"query": "", "format": "csv"}).status_code == 403
    assert client.get(START).status_code == 405


def test_a_bad_filter_or_format_goes_back_to_the_list_with_the_reason(client, agent, base):
    client.force_login(agent)
    response = client.post(START, {"query": "status=nonsense", "format": "csv"}, follow=True)
    assert "Status" in response.content.decode()
    response = client.post(START, {"query": "", "format": "pdf"}, follow=True)
    assert "Choose CSV or XLSX." in response.content.decode()


def test_columns_follow_what_the_user_may_see(agent, base):
    reader = UserFactory(username="reader")
    reader.user_permissions.add(
        *__import__(
            "django.contrib.auth.models", fromlist=["Permission"]
        ).Permission.objects.filter(codename="view_customer")
    )
    headers = [c.header for c in export_source("customers").query(QueryDict(""), reader).columns]
    assert "E-mail" not in headers and "Churn risk" not in headers


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(services, "STREAM_LIMIT", 2)
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    monkeypatch.setattr(writers, "PAGE_ROWS", 1)


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_large_export_is_written_in_the_background_and_served_to_its_owner_only(
    client,
    agent,
    other_agent,
    base,
    small_limits,
    tasks_in_process,
    django_capture_on_commit_callbacks,
    format,
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"query": "sort=oldest", "format": format})
    export = ExportJob.objects.get()
    assert response.url == reverse("exports:detail", args=[export.pk])
    assert (export.status, export.chunks_total, export.rows_done) == ("done", 3, 6)
    page = client.get(response.url).content.decode()
    assert reverse("exports:download", args=[export.pk]) in page

    download = client.get(reverse("exports:download", args=[export.pk]))
    content = b"".join(download.streaming_content)
    if format == "csv":
        numbers = [row[0] for row in csv.reader(io.StringIO(content.decode("utf-8-sig")))]
        assert numbers[1:] == [c.number for c in base]
    else:
        sheet = _xlsx_parts(content)["xl/worksheets/sheet1.xml"]
        assert all(c.number in sheet for c in base)
    assert ActionLog.objects.get(action=EXPORTED).data["export"] == export.pk

    client.force_login(other_agent)
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    assert client.get(reverse("exports:detail", args=[export.pk])).status_code == 404


def test_a_chunk_tried_again_writes_its_rows_once(agent, base, small_limits):
    run = services.export_start(
        source=export_source("customers"), params=QueryDict("sort=oldest"), user=agent, format="csv"
    )
    chunks = list(run.chunks.order_by("first_id"))
    services.export_chunk_work(run, chunks[0])
    run.refresh_from_db()
    before = (run.cursor, run.bytes_written)
    services.export_chunk_work(run, chunks[1])
    # The second chunk's transaction rolled back: its file writes stay, its marks do not.
    ExportJob.objects.filter(pk=run.pk).update(cursor=before[0], bytes_written=before[1])
    run.refresh_from_db()
    services.export_chunk_work(run, chunks[1])
    run.refresh_from_db()
    services.export_chunk_work(run, chunks[2])
    text = services.export_part_path(run).read_text(encoding="utf-8-sig")
    numbers = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert numbers == [c.number for c in base]


def test_a_second_large_export_of_the_same_person_waits_for_their_first(
    agent, other_agent, base, small_limits
):
    source = export_source("customers")
    services.export_start(source=source, params=QueryDict(""), user=agent, format="csv")
    with pytest.raises(ValidationError, match="Your last large export"):
        services.export_start(source=source, params=QueryDict(""), user=agent, format="csv")
    # Someone else's export does not wait for it.
    other = services.export_start(
        source=source, params=QueryDict(""), user=other_agent, format="csv"
    )
    assert ExportJob.objects.filter(status__in=["queued", "running"]).count() == 2
    assert other.owner == other_agent


def test_the_progress_of_an_export_is_shown_to_its_owner_only(
    client, agent, other_agent, base, small_limits
):
    source = export_source("customers")
    run = services.export_start(source=source, params=QueryDict(""), user=agent, format="csv")
    progress = reverse("jobs:progress", args=[source.kind_name, run.pk])
    client.force_login(agent)
    assert client.get(progress).json()["chunks_total"] == 3
    client.force_login(other_agent)
    assert client.get(progress).status_code == 404


@pytest.mark.parametrize("sort", ["name", "oldest", "newest"])
def test_an_export_read_page_by_page_keeps_the_list_order(agent, base, monkeypatch, sort):
    from customers.selectors import customer_list

    monkeypatch.setattr(writers, "PAGE_ROWS", 1)
    query = export_source("customers").query(QueryDict(f"sort={sort}"), agent)
    numbers = [row[0] for row in writers.export_values(query)][1:]
    assert numbers == [c.number for c in customer_list(sort=sort).rows]


def test_an_export_file_is_deleted_after_the_days_it_is_kept(
    client,
    agent,
    base,
    small_limits,
    tasks_in_process,
    django_capture_on_commit_callbacks,
    settings,
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(START, {"query": "", "format": "csv"})
    export = ExportJob.objects.get()
    path = services.export_file_path(export)
    assert path.exists()

    kept_until = export.finished_at + datetime.timedelta(days=settings.CRM_EXPORT_KEEP_DAYS)
    assert services.exports_expire(now=kept_until - datetime.timedelta(minutes=1)) == 0
    assert services.exports_expire(now=kept_until + datetime.timedelta(minutes=1)) == 1

    export.refresh_from_db()
    assert not path.exists() and export.file_name == ""
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    assert "was deleted" in client.get(reverse("exports:detail", args=[export.pk])).content.decode()
