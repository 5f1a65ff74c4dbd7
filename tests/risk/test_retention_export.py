"""The retention work list exports exactly what its filters show, as CSV and XLSX (large
exports as a background job), to whoever may read the list; and it keeps saved views."""

import csv
import io
import re
import zipfile
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from crm.exports import services, writers
from crm.exports.models import ExportJob
from crm.savedviews.models import SavedView
from customers.models import ActionLog, LatestScores
from risk import services as risk_services
from risk.exports import EXPORTED
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

START = reverse("exports:start", args=["retention"])
SAVE = reverse("savedviews:save", args=["retention"])
_NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def scored(established):
    """Three scored customers: value at risk 900 (top), 300 (high) and 10 (standard)."""
    small, large, middle = established(3)
    for customer in (small, large, middle):
        risk_services.customer_rescore(customer=customer)
    for customer, at_risk, segment in (
        (small, "10.00", "standard"),
        (large, "900.00", "top"),
        (middle, "300.00", "high"),
    ):
        LatestScores.objects.filter(customer=customer).update(
            value_at_risk=Decimal(at_risk), value_segment=segment
        )
    return large, middle, small


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _xlsx_rows(content: bytes) -> list[list[str]]:
    """The first worksheet's cells as text, row by row (inline or shared strings alike)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
        shared = []
        if "xl/sharedStrings.xml" in names:
            strings = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{_NS['x']}}}t")) for si in strings]
    assert sheet.find(".//x:f", _NS) is None  # no formula anywhere
    rows = []
    for row in sheet.iterfind(".//x:sheetData/x:row", _NS):
        cells = {}
        for cell in row.iterfind("x:c", _NS):
            column = re.match(r"[A-Z]+", cell.get("r")).group()
            index = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(column))) - 1
            kind = cell.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{{{_NS['x']}}}t"))
            elif kind == "s":
                text = shared[int(cell.find("x:v", _NS).text)]
            else:
                text = cell.find("x:v", _NS).text
            cells[index] = text
        rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
    return rows


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_csv_holds_exactly_the_rows_the_filters_show_in_the_list_order(client, agent, scored):
    large, middle, small = scored
    client.force_login(agent)

    response = client.post(START, {"query": "", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="retention-')
    rows = _csv_rows(_content(response))
    assert rows[0] == [
        "Number",
        "Name",
        "Value segment",
        "Lifetime value",
        "Churn risk",
        "Value at risk",
        "Currency",
        "Why",
        "Account manager",
    ]
    assert [row[0] for row in rows[1:]] == [large.number, middle.number, small.number]
    assert [row[5] for row in rows[1:]] == ["900.0", "300.0", "10.0"]
    assert all(row[7] for row in rows[1:])  # the churn reasons the page shows

    filtered = _csv_rows(
        _content(client.post(START, {"query": "value_segment=top", "format": "csv"}))
    )
    page = client.get(reverse("risk:retention"), {"value_segment": "top"})
    assert [row[0] for row in filtered[1:]] == [
        row.customer.number for row in page.context["page"].rows
    ]
    assert [row[0] for row in filtered[1:]] == [large.number]
    assert ActionLog.objects.filter(action=EXPORTED).count() == 2


def test_the_xlsx_opens_with_the_same_rows_as_the_csv(client, agent, scored):
    client.force_login(agent)
    query = {"query": ""}

    as_csv = _csv_rows(_content(client.post(START, {**query, "format": "csv"})))
    response = client.post(START, {**query, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    as_xlsx = _xlsx_rows(_content(response))
    assert [row[:3] for row in as_xlsx] == [row[:3] for row in as_csv]
    assert [float(row[5]) for row in as_xlsx[1:]] == [float(row[5]) for row in as_csv[1:]]
    assert [row[7] for row in as_xlsx[1:]] == [row[7] for row in as_csv[1:]]


def test_a_formula_in_a_name_stays_text_in_both_formats(client, agent, scored):
    large = scored[0]
    large.party.display_name = "=HYPERLINK(1)"
    large.party.save(update_fields=["display_name"])
    client.force_login(agent)

    rows = _csv_rows(_content(client.post(START, {"query": "value_segment=top", "format": "csv"})))
    assert rows[1][1] == "'=HYPERLINK(1)"
    content = _content(client.post(START, {"query": "value_segment=top", "format": "xlsx"}))
    assert _xlsx_rows(content)[1][1] == "=HYPERLINK(1)"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert 'quotePrefix="1"' in archive.read("xl/styles.xml").decode()


def test_an_export_needs_the_scores_permission_as_the_list_does(client, scored):
    customers_only = UserFactory(username="cathy")
    customers_only.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(customers_only)

    assert client.get(reverse("risk:retention")).status_code == 403
    assert client.post(START, {"query": "", "format": "csv"}).status_code == 403
    assert client.post(SAVE, {"query": "", "name": "Mine"}).status_code == 403

    scores_only = UserFactory(username="sam")
    scores_only.user_permissions.add(Permission.objects.get(codename="view_latestscores"))
    client.force_login(scores_only)
    assert client.get(reverse("risk:retention")).status_code == 403
    assert client.post(START, {"query": "", "format": "csv"}).status_code == 403
    assert not ActionLog.objects.filter(action=EXPORTED).exists()


def test_a_bad_filter_goes_back_to_the_list_with_the_reason(client, agent, scored):
    client.force_login(agent)

    response = client.post(START, {"query": "value_segment=nope", "format": "csv"})

    assert response.status_code == 302
    assert response.url == reverse("risk:retention") + "?value_segment=nope"


def test_a_saved_view_round_trip(client, agent, scored):
    large = scored[0]
    client.force_login(agent)

    response = client.post(SAVE, {"query": "value_segment=top&after=abc", "name": "Top at risk"})

    view = SavedView.objects.get(owner=agent, list_name="retention")
    assert (view.name, view.query) == ("Top at risk", "value_segment=top")
    assert response.url == reverse("risk:retention") + "?value_segment=top"
    page = client.get(response.url)
    html = page.content.decode()
    assert 'href="?value_segment=top" aria-current="true">Top at risk</a>' in html
    assert [row.customer for row in page.context["page"].rows] == [large]
    # The export form carries the same filters the view applies.
    assert 'name="query" value="value_segment=top"' in html

    unfiltered = client.get(reverse("risk:retention")).content.decode()
    assert 'href="?value_segment=top">Top at risk</a>' in unfiltered

    delete = reverse("savedviews:delete", args=["retention", view.pk])
    assert client.post(delete, {"query": ""}).status_code == 302
    assert not SavedView.objects.filter(list_name="retention").exists()


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(services, "STREAM_LIMIT", 1)
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    monkeypatch.setattr(writers, "PAGE_ROWS", 1)


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_large_export_runs_as_the_same_background_job(
    client, agent, scored, small_limits, django_capture_on_commit_callbacks, format
):
    client.force_login(agent)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(START, {"query": "", "format": format})

    export = ExportJob.objects.get()
    assert export.source == "retention"
    assert response.url == reverse("exports:detail", args=[export.pk])
    assert (export.status, export.chunks_total, export.rows_done) == ("done", 2, 3)
    content = _content(client.get(reverse("exports:download", args=[export.pk])))
    rows = _csv_rows(content) if format == "csv" else _xlsx_rows(content)
    assert [row[0] for row in rows[1:]] == [customer.number for customer in scored]
    assert ActionLog.objects.get(action=EXPORTED).data["export"] == export.pk
