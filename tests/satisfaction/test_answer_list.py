"""The survey answers list works like the customer list: its headers sort it, it says how many
answers the filters select, it exports exactly those answers in its order as CSV and XLSX, and
it keeps saved views; all of it only for staff who may read the answers."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone

from crm.exports import services, writers
from crm.exports.models import ExportJob
from crm.savedviews.models import SavedView
from customers.models import ActionLog
from satisfaction.exports import EXPORTED
from satisfaction.results import ResultFilters, response_list
from tests.factories import CustomerFactory, UserFactory
from tests.risk.test_retention_export import _content, _csv_rows, _xlsx_rows
from tests.satisfaction.test_results import _answer, _survey

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

ANSWERS = reverse("satisfaction:responses")
START = reverse("exports:start", args=["answers"])
SAVE = reverse("savedviews:save", args=["answers"])
PERIOD = {"date_from": "2025-01-01", "date_to": "2025-06-30"}


@pytest.fixture
def reader(db):
    """Staff allowed to read survey answers, and nothing else."""
    user = UserFactory(username="rita")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="satisfaction", codename="view_response")
    )
    return user


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


@pytest.fixture
def answers(db):
    """Four answers in spring 2025, oldest first: NPS 9 and 2, CSAT 1, NPS 2 (the newest)."""
    nps, csat = _survey("nps"), _survey("csat")
    ada = CustomerFactory(given_name="Ada", family_name="Answer")
    bob = CustomerFactory(given_name="Bob", family_name="Brown")
    day = datetime(2025, 3, 1, 9, tzinfo=UTC)
    return [
        _answer(nps, ada, 9, when=day, comment="Quick and kind"),
        _answer(nps, bob, 2, when=day + timedelta(days=1), comment="Waited an hour"),
        _answer(csat, ada, 1, when=day + timedelta(days=2), channel="sms"),
        _answer(nps, ada, 2, when=day + timedelta(days=3), comment="Still waiting"),
    ]


def _header(text: str, label: str) -> str:
    """The opening tag and content of the column header ``label``."""
    return re.search(rf"<th[^>]*>(?:(?!</th>).)*>{label}</a></th>", text, re.S).group(0)


def _listed(client, **params) -> list[int]:
    response = client.get(ANSWERS, {**PERIOD, **params})
    assert response.status_code == 200, response.context["form"].errors
    return [row.pk for row in response.context["page"].rows]


def _pks(rows) -> list[int]:
    return [row.pk for row in rows]


# --- Sorting --------------------------------------------------------------------------------


def test_the_answers_come_newest_first_and_the_answered_header_says_so(reader_client, answers):
    text = reader_client.get(ANSWERS, {**PERIOD, "kind": "nps"}).content.decode()

    answered, score = _header(text, "Answered"), _header(text, "Score")
    assert 'aria-sort="descending"' in answered and "sort=oldest" in answered
    assert "kind=nps" in answered  # the filters stay
    assert 'aria-sort="none"' in score and "sort=lowest" in score
    assert _listed(reader_client) == _pks(reversed(answers))


def test_the_answered_header_turns_the_list_oldest_first(reader_client, answers):
    text = reader_client.get(ANSWERS, {**PERIOD, "sort": "oldest"}).content.decode()

    answered = _header(text, "Answered")
    assert 'aria-sort="ascending"' in answered and "sort=newest" in answered
    assert _listed(reader_client, sort="oldest") == _pks(answers)


def test_the_score_header_lists_the_lowest_scores_first_the_newest_of_a_score_first(
    reader_client, answers
):
    first, second, third, fourth = answers
    text = reader_client.get(ANSWERS, {**PERIOD, "sort": "lowest"}).content.decode()

    assert 'aria-sort="ascending"' in _header(text, "Score")
    assert 'aria-sort="none"' in _header(text, "Answered")
    assert _listed(reader_client, sort="lowest") == _pks([third, fourth, second, first])


@pytest.mark.parametrize("sort", ["newest", "oldest", "lowest"])
def test_every_sort_pages_through_each_answer_once_in_its_order(answers, sort):
    filters = ResultFilters(date_from=datetime(2025, 1, 1).date(), date_to=timezone.localdate())
    whole = response_list(filters=filters, sort=sort, page_size=10).rows
    first = response_list(filters=filters, sort=sort, page_size=3)
    second = response_list(filters=filters, sort=sort, page_size=3, after=first.next_cursor)
    back = response_list(filters=filters, sort=sort, page_size=3, before=second.previous_cursor)

    assert _pks(first.rows + second.rows) == _pks(whole)
    assert _pks(back.rows) == _pks(first.rows)


def test_an_unknown_sort_is_an_error_on_the_form_and_no_answer_is_shown(reader_client, answers):
    response = reader_client.get(ANSWERS, {"sort": "loudest"})

    assert response.status_code == 200
    assert response.context["page"] is None
    assert "sort" in response.context["form"].errors


# --- The count ------------------------------------------------------------------------------


def test_the_list_says_how_many_answers_the_filters_select(reader_client, answers):
    assert '<p class="list-count" id="answer-count">4 answers</p>' in (
        reader_client.get(ANSWERS, PERIOD).content.decode()
    )
    assert '<p class="list-count" id="answer-count">1 answer</p>' in (
        reader_client.get(ANSWERS, {**PERIOD, "kind": "csat"}).content.decode()
    )


def test_a_count_over_several_pages_counts_every_answer_not_the_page(answers):
    filters = ResultFilters(date_from=datetime(2025, 1, 1).date(), date_to=timezone.localdate())

    page = response_list(filters=filters, page_size=2, counted=True)

    assert (len(page.rows), page.count.rows, page.count.exact) == (2, 4, True)


# --- Export ---------------------------------------------------------------------------------


def test_the_csv_holds_exactly_the_filtered_answers_in_the_list_order(
    reader_client, reader, answers
):
    first, second, _, fourth = answers
    query = "date_from=2025-01-01&date_to=2025-06-30&kind=nps&sort=lowest"

    response = reader_client.post(START, {"query": query, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="answers-')
    rows = _csv_rows(_content(response))
    assert rows[0] == [
        "Answered at",
        "Customer number",
        "Name",
        "Survey",
        "Kind",
        "Score",
        "Sentiment",
        "Comment",
        "Channel",
        "Touch point",
    ]
    listed = _listed(reader_client, kind="nps", sort="lowest")
    assert listed == _pks([fourth, second, first])
    by_pk = {answer.pk: answer for answer in answers}
    assert [row[1] for row in rows[1:]] == [by_pk[pk].customer.number for pk in listed]
    assert rows[1][2:] == [
        "Ada Answer",
        "Relationship NPS",
        "NPS",
        "2",
        "Detractor",
        "Still waiting",
        "E-mail",
        "Relationship (periodic)",
    ]
    answered = timezone.localtime(fourth.responded_at)
    assert rows[1][0] == f"{answered:%Y-%m-%d %H:%M}"
    entry = ActionLog.objects.get(action=EXPORTED)
    assert (entry.actor, entry.data["rows"], entry.data["format"]) == (reader, 3, "csv")


def test_the_xlsx_holds_the_same_answers_as_the_csv(reader_client, answers):
    query = {"query": "date_from=2025-01-01&date_to=2025-06-30&sort=oldest"}

    as_csv = _csv_rows(_content(reader_client.post(START, {**query, "format": "csv"})))
    response = reader_client.post(START, {**query, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    as_xlsx = _xlsx_rows(_content(response))
    assert [row[:5] for row in as_xlsx] == [row[:5] for row in as_csv]
    assert [int(float(row[5])) for row in as_xlsx[1:]] == [int(row[5]) for row in as_csv[1:]]
    assert len(as_xlsx) == 5


def test_a_comment_that_looks_like_a_formula_stays_text_in_both_formats(reader_client, answers):
    newest = answers[-1]
    newest.comment = "=HYPERLINK(1)"
    newest.save(update_fields=["comment"])
    query = {"query": "date_from=2025-03-04&date_to=2025-03-04"}

    rows = _csv_rows(_content(reader_client.post(START, {**query, "format": "csv"})))
    assert rows[1][7] == "'=HYPERLINK(1)"
    content = _content(reader_client.post(START, {**query, "format": "xlsx"}))
    assert _xlsx_rows(content)[1][7] == "=HYPERLINK(1)"


def test_a_bad_filter_goes_back_to_the_list_with_the_reason(reader_client, answers):
    response = reader_client.post(START, {"query": "sort=loudest", "format": "csv"}, follow=True)

    assert response.redirect_chain[0][0] == f"{ANSWERS}?sort=loudest"
    assert "Sort: Select a valid choice." in response.content.decode()
    assert not ActionLog.objects.filter(action=EXPORTED).exists()


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(services, "STREAM_LIMIT", 1)
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    monkeypatch.setattr(writers, "PAGE_ROWS", 1)


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_a_large_export_is_written_in_the_background_in_the_list_order(
    reader_client, answers, small_limits, django_capture_on_commit_callbacks, format
):
    query = "date_from=2025-01-01&date_to=2025-06-30&sort=lowest"
    with django_capture_on_commit_callbacks(execute=True):
        response = reader_client.post(START, {"query": query, "format": format})

    export = ExportJob.objects.get()
    assert response.url == reverse("exports:detail", args=[export.pk])
    assert (export.source, export.status, export.rows_done) == ("answers", "done", 4)
    content = _content(reader_client.get(reverse("exports:download", args=[export.pk])))
    rows = _csv_rows(content) if format == "csv" else _xlsx_rows(content)
    assert [row[7] for row in rows[1:]] == ["", "Still waiting", "Waited an hour", "Quick and kind"]


# --- Saved views ----------------------------------------------------------------------------


def test_a_saved_view_keeps_the_filters_and_the_sort_and_applies_them(
    reader_client, reader, answers
):
    query = "date_from=2025-01-01&date_to=2025-06-30&kind=nps&sort=lowest"

    response = reader_client.post(SAVE, {"query": f"{query}&after=abc", "name": "Low NPS"})

    view = SavedView.objects.get(owner=reader, list_name="answers")
    assert (view.name, view.query) == ("Low NPS", query)
    assert response.url == f"{ANSWERS}?{query}"
    page = reader_client.get(response.url)
    html = page.content.decode()
    assert f'href="?{query.replace("&", "&amp;")}" aria-current="true">Low NPS</a>' in html
    assert _pks(page.context["page"].rows) == _pks([answers[3], answers[1], answers[0]])
    assert 'aria-sort="ascending"' in _header(html, "Score")
    # The export form carries what the view applies.
    assert f'name="query" value="{query.replace("&", "&amp;")}"' in html


def test_a_view_shared_with_a_group_is_listed_for_its_members_only(client, reader, answers):
    team = Group.objects.create(name="Care team")
    reader.groups.add(team)
    colleague, outsider = UserFactory(username="carl"), UserFactory(username="olga")
    colleague.groups.add(team)
    for user in (colleague, outsider):
        user.user_permissions.add(Permission.objects.get(codename="view_response"))
    client.force_login(reader)
    client.post(SAVE, {"query": "sort=lowest", "name": "Lowest", "group": team.pk})

    client.force_login(colleague)
    assert "Lowest</a>" in client.get(ANSWERS).content.decode()
    client.force_login(outsider)
    assert "Lowest</a>" not in client.get(ANSWERS).content.decode()


def test_staff_who_may_not_read_answers_can_neither_list_export_nor_save_them(client, answers):
    customers_only = UserFactory(username="cathy")
    customers_only.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(customers_only)

    assert client.get(ANSWERS).status_code == 403
    assert client.post(START, {"query": "", "format": "csv"}).status_code == 403
    assert client.post(SAVE, {"query": "", "name": "Mine"}).status_code == 403
    assert not ActionLog.objects.filter(action=EXPORTED).exists()
    assert not SavedView.objects.exists()
