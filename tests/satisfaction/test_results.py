"""The results page (NPS, CSAT and CES by month, segment, channel, touch point and survey) and
the answers behind it, on hand-built invitations and answers counted by results_rebuild."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from satisfaction import services
from satisfaction.models import Invitation, Response, Survey
from satisfaction.scores import sentiment_of
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

RESULTS = reverse("satisfaction:results")
ANSWERS = reverse("satisfaction:responses")
_keys = itertools.count(1)


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
def customer(db):
    return CustomerFactory(given_name="Ada", family_name="Answer")


def _survey(kind: str, name: str = "") -> Survey:
    return services.survey_create(
        name=name or f"Relationship {kind.upper()}", kind=kind, trigger="periodic", actor=None
    )


def _invite(survey, customer, *, when=None, segment="residential", channel="email", **fields):
    when = when or timezone.now() - timedelta(days=3)
    return Invitation.objects.create(
        survey=survey,
        survey_version=survey.versions.first(),
        customer=customer,
        trigger_key=f"test:{next(_keys)}",
        touch_point=fields.pop("touch_point", "relationship"),
        channel=channel,
        address="ada@example.com",
        language="en",
        segment=segment,
        status=Invitation.Status.SENT,
        created_at=when,
        sent_at=when,
        expires_at=when + timedelta(days=14),
        **fields,
    )


def _answer(survey, customer, score, *, when=None, comment="", **invitation_fields):
    """An invitation answered with ``score``, as response_submit would store it."""
    when = when or timezone.now() - timedelta(days=3)
    invitation = _invite(survey, customer, when=when, **invitation_fields)
    invitation.status = Invitation.Status.RESPONDED
    invitation.closed_at = when
    invitation.save(update_fields=["status", "closed_at"])
    return Response.objects.create(
        invitation=invitation,
        survey=survey,
        survey_version=invitation.survey_version,
        customer=customer,
        kind=survey.kind,
        score=score,
        sentiment=sentiment_of(survey.kind, score),
        comment=comment,
        language="en",
        channel=invitation.channel,
        touch_point=invitation.touch_point,
        segment=invitation.segment,
        responded_at=when,
    )


def _results(client, **params):
    services.results_rebuild()
    response = client.get(RESULTS, params)
    assert response.status_code == 200
    return response


def _kind(response, kind):
    (section,) = [k for k in response.context["overview"].kinds if k.kind == kind]
    return section


def _rows(section, breakdown):
    (rows,) = [rows for name, _, rows in section.breakdowns if name == breakdown]
    return {row.value: row for row in rows}


# --- The arithmetic -------------------------------------------------------------------------


def test_nps_without_answers_shows_no_figure_and_no_response(reader_client, customer):
    survey = _survey("nps")
    _invite(survey, customer)

    nps = _kind(_results(reader_client), "nps")

    assert nps.total.figure is None
    assert (nps.total.invited, nps.total.responded, nps.total.response_rate) == (1, 0, 0.0)


def test_nps_of_promoters_only_is_100(reader_client, customer):
    survey = _survey("nps")
    for score in (9, 10, 10):
        _answer(survey, customer, score)

    response = _results(reader_client)

    assert _kind(response, "nps").total.figure == 100.0
    assert "+100.0" in response.content.decode()


@pytest.mark.parametrize(
    ("answers", "nps"),
    [
        ([6], -100.0),  # 6 is a detractor
        ([7], 0.0),  # 7 and 8 are passives
        ([8], 0.0),
        ([9], 100.0),  # 9 is a promoter
        ([6, 7, 8, 9], 0.0),
        ([0, 6, 9, 10, 10], 20.0),
    ],
)
def test_nps_counts_6_as_detractor_7_and_8_as_passive_9_as_promoter(
    reader_client, customer, answers, nps
):
    survey = _survey("nps")
    for score in answers:
        _answer(survey, customer, score)

    total = _kind(_results(reader_client), "nps").total

    assert total.figure == nps
    assert total.responded == len(answers)


def test_nps_shows_the_shares_of_promoters_passives_and_detractors(reader_client, customer):
    survey = _survey("nps")
    for score in (6, 7, 8, 9):
        _answer(survey, customer, score)

    response = _results(reader_client)

    shares = {sentiment: share for sentiment, _, share in _kind(response, "nps").total.shares}
    assert shares == {"positive": 25.0, "neutral": 50.0, "negative": 25.0}
    page = response.content.decode()
    assert "Promoters (9, 10): <strong>25.0 %" in page
    assert "Passives (7, 8): <strong>50.0 %" in page


def test_csat_is_the_share_of_4_and_5(reader_client, customer):
    survey = _survey("csat")
    for score in (1, 2, 3, 4, 5):
        _answer(survey, customer, score)

    response = _results(reader_client)

    assert _kind(response, "csat").total.figure == 40.0
    assert "40.0 %" in response.content.decode()


def test_ces_is_the_average_answer(reader_client, customer):
    survey = _survey("ces")
    for score in (1, 4, 7, 5):
        _answer(survey, customer, score)

    response = _results(reader_client)

    assert _kind(response, "ces").total.figure == 4.25
    assert "4.25" in response.content.decode()


def test_the_response_rate_is_answers_per_invitation(reader_client, customer):
    survey = _survey("csat")
    _answer(survey, customer, 5)
    for _ in range(3):
        _invite(survey, customer)

    total = _kind(_results(reader_client), "csat").total

    assert (total.invited, total.responded, total.response_rate) == (4, 1, 25.0)


def test_each_kind_is_shown_on_its_own_never_mixed(reader_client, customer):
    nps, csat = _survey("nps"), _survey("csat")
    _answer(nps, customer, 10)
    _answer(csat, customer, 1)

    response = _results(reader_client)

    assert [k.kind for k in response.context["overview"].kinds] == ["nps", "csat"]
    assert _kind(response, "nps").total.figure == 100.0
    assert _kind(response, "csat").total.figure == 0.0
    assert set(_rows(_kind(response, "nps"), "survey")) == {str(nps.pk)}


def test_choosing_a_survey_shows_its_kind_only(reader_client, customer):
    nps, csat = _survey("nps"), _survey("csat")
    _answer(nps, customer, 10)
    _answer(csat, customer, 1)

    response = _results(reader_client, survey=csat.pk)

    assert [k.kind for k in response.context["overview"].kinds] == ["csat"]


def test_choosing_a_kind_adds_up_its_surveys(reader_client, customer):
    first, second = _survey("nps", "Onboarding NPS"), _survey("nps", "Exit NPS")
    _survey("ces")
    _answer(first, customer, 10)
    _answer(second, customer, 0)
    _answer(second, customer, 0)

    response = _results(reader_client, kind="nps")

    (nps,) = response.context["overview"].kinds
    assert nps.total.figure == round(100 * (1 - 2) / 3, 1)
    assert {row.label: row.tally.figure for row in _rows(nps, "survey").values()} == {
        "Onboarding NPS": 100.0,
        "Exit NPS": -100.0,
    }


# --- Breakdowns and filters -----------------------------------------------------------------


def test_the_breakdowns_split_by_segment_channel_and_touch_point(reader_client, customer):
    survey = _survey("nps")
    _answer(survey, customer, 10, segment="enterprise", channel="sms", touch_point="support")
    _answer(survey, customer, 0, segment="residential", channel="email", touch_point="billing")
    _answer(survey, customer, 9, segment="residential", channel="email", touch_point="billing")
    _invite(survey, customer, segment="enterprise", channel="sms", touch_point="support")

    nps = _kind(_results(reader_client), "nps")

    segments = _rows(nps, "segment")
    assert segments["enterprise"].tally.figure == 100.0
    assert segments["enterprise"].tally.response_rate == 50.0
    assert segments["residential"].tally.figure == 0.0
    assert segments["residential"].label == "Residential"
    assert _rows(nps, "channel")["sms"].tally.responded == 1
    assert _rows(nps, "touch_point")["billing"].tally.responded == 2
    assert "segment=enterprise" in segments["enterprise"].query
    assert "kind=nps" in segments["enterprise"].query


@pytest.mark.parametrize(
    ("filters", "nps", "responded"),
    [
        ({"segment": "enterprise"}, 100.0, 1),
        ({"channel": "email"}, 0.0, 2),
        ({"touch_point": "billing"}, 0.0, 2),
        ({"segment": "residential", "touch_point": "support"}, None, 0),
    ],
)
def test_the_filters_narrow_every_figure(reader_client, customer, filters, nps, responded):
    survey = _survey("nps")
    _answer(survey, customer, 10, segment="enterprise", channel="sms", touch_point="support")
    _answer(survey, customer, 0, segment="residential", channel="email", touch_point="billing")
    _answer(survey, customer, 9, segment="residential", channel="email", touch_point="billing")

    section = _kind(_results(reader_client, **filters), "nps")

    assert (section.total.figure, section.total.responded) == (nps, responded)
    for name in ("segment", "channel", "touch_point"):
        assert sum(r.tally.responded for r in _rows(section, name).values()) == responded


def test_the_trend_has_a_bar_per_month_with_answers(reader_client, customer):
    survey = _survey("csat")
    february = datetime(2025, 2, 10, 12, tzinfo=UTC)
    april = datetime(2025, 4, 20, 12, tzinfo=UTC)
    _answer(survey, customer, 5, when=february)
    _answer(survey, customer, 1, when=april)
    _answer(survey, customer, 4, when=april)
    _answer(survey, customer, 5, when=datetime(2025, 8, 1, 12, tzinfo=UTC))  # outside

    response = _results(reader_client, date_from="2025-01-01", date_to="2025-06-30")

    csat = _kind(response, "csat")
    assert [row.value for row in csat.trend] == [f"2025-0{m}" for m in range(1, 7)]
    assert {row.value: row.tally.figure for row in csat.trend if row.tally.responded} == {
        "2025-02": 100.0,
        "2025-04": 50.0,
    }
    assert csat.total.responded == 3
    assert len(csat.chart.bars) == 2
    page = response.content.decode()
    assert 'role="img" aria-label="CSAT per month, Jan 2025 to Jun 2025"' in page
    assert "<title>Apr 2025: CSAT 50.0 % from 2 answers" in page
    assert "month=2025-04" in page


def test_the_default_period_is_the_last_twelve_months(reader_client, customer):
    survey = _survey("nps")
    _answer(survey, customer, 10)
    _answer(survey, customer, 0, when=timezone.now() - timedelta(days=400))

    response = _results(reader_client)

    nps = _kind(response, "nps")
    assert len(nps.trend) == 12
    assert nps.total.responded == 1


def test_the_page_says_so_when_there_is_no_survey(reader_client):
    response = _results(reader_client)

    assert "No survey yet" in response.content.decode()


# --- Bad filters and permissions ------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"segment": "bogus"},
        {"channel": "fax"},
        {"touch_point": "séance"},
        {"kind": "xyz"},
        {"survey": "abc"},
        {"survey": "999999"},
        {"date_from": "2025-13-01"},
        {"date_from": "2025-06-01", "date_to": "2025-01-01"},
        {"date_from": "0001-01-01"},
        {"date_to": "9999-12-31"},
        {"date_from": "2000-01-01", "date_to": "2025-01-01"},
    ],
)
def test_a_bad_filter_shows_a_form_error_not_a_server_error(reader_client, customer, params):
    _answer(_survey("nps"), customer, 10)

    response = reader_client.get(RESULTS, params)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["overview"] is None
    assert 'class="errors" role="alert"' in response.content.decode()


def test_a_survey_of_another_kind_than_the_chosen_one_is_an_error(reader_client):
    survey = _survey("nps")

    response = reader_client.get(RESULTS, {"survey": survey.pk, "kind": "csat"})

    assert "is an NPS survey, not CSAT" in response.content.decode()


@pytest.mark.parametrize("url", [RESULTS, ANSWERS])
def test_staff_without_the_permission_to_read_answers_get_403(client, url):
    client.force_login(UserFactory(username="nobody"))

    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", [RESULTS, ANSWERS])
def test_the_results_ask_for_a_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_results_page_runs_the_same_few_queries_however_many_rows(
    reader_client, customer, django_assert_max_num_queries
):
    surveys = [_survey("nps"), _survey("csat"), _survey("ces")]
    services.results_rebuild()
    with django_assert_max_num_queries(12) as few:
        reader_client.get(RESULTS)
    segments = ["residential", "small_business", "enterprise", "wholesale"]
    touch_points = ["support", "billing", "relationship", "exit"]
    for n in range(60):
        survey = surveys[n % 3]
        low, high = survey.scale
        _answer(
            survey,
            customer,
            low + n % (high - low + 1),
            when=timezone.now() - timedelta(days=3 + n * 5),
            segment=segments[n % 4],
            channel=["email", "sms"][n % 2],
            touch_point=touch_points[n % 4],
        )
    services.results_rebuild()

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = reader_client.get(RESULTS)

    assert sum(k.total.responded for k in response.context["overview"].kinds) > 30


# --- The answers behind a figure ------------------------------------------------------------


def test_the_answers_are_listed_newest_first_with_the_customer(reader_client, customer):
    survey = _survey("nps")
    _answer(survey, customer, 3, when=timezone.now() - timedelta(days=5), comment="Too slow")
    _answer(survey, customer, 10, when=timezone.now() - timedelta(days=1), comment="Great")

    response = reader_client.get(ANSWERS)

    assert response.status_code == 200
    assert [r.score for r in response.context["page"].rows] == [10, 3]
    page = response.content.decode()
    assert customer.get_absolute_url() in page
    assert "Too slow" in page and "Detractor" in page and "Promoter" in page


@pytest.mark.parametrize(
    ("params", "scores"),
    [
        ({"segment": "enterprise"}, [10]),
        ({"channel": "sms"}, [10]),
        ({"touch_point": "billing"}, [0, 8]),
        ({"sentiment": "negative"}, [0]),
        ({"kind": "csat"}, [4]),
        ({"month": "2025-03"}, [8]),
        ({"date_from": "2025-03-01", "date_to": "2025-03-31"}, [8]),
    ],
)
def test_the_answers_can_be_narrowed_like_the_results(reader_client, customer, params, scores):
    nps, csat = _survey("nps"), _survey("csat")
    march, may = datetime(2025, 3, 5, 9, tzinfo=UTC), datetime(2025, 5, 5, 9, tzinfo=UTC)
    _answer(nps, customer, 10, when=may, segment="enterprise", channel="sms")
    _answer(nps, customer, 0, when=may, touch_point="billing")
    _answer(nps, customer, 8, when=march, touch_point="billing")
    _answer(csat, customer, 4, when=may - timedelta(days=1))
    params = {"date_from": "2025-01-01", "date_to": "2025-06-30", **params}

    response = reader_client.get(ANSWERS, params)

    assert response.status_code == 200, response.context["form"].errors
    assert sorted(r.score for r in response.context["page"].rows) == scores


def test_a_breakdown_row_opens_its_answers(reader_client, customer):
    survey = _survey("nps")
    _answer(survey, customer, 10, segment="enterprise")
    _answer(survey, customer, 0, segment="residential")

    row = _rows(_kind(_results(reader_client), "nps"), "segment")["enterprise"]
    response = reader_client.get(f"{ANSWERS}?{row.query}")

    assert [r.segment for r in response.context["page"].rows] == ["enterprise"]


def test_the_answers_come_fifty_to_a_page_with_next_and_previous(reader_client, customer):
    survey = _survey("ces")
    start = timezone.now() - timedelta(days=30)
    same_moment = start + timedelta(hours=1)
    for n in range(55):
        # Several answers at the same moment: the page boundary must not lose or repeat them.
        when = same_moment if 45 <= n < 52 else start + timedelta(hours=n)
        _answer(survey, customer, 1 + n % 7, when=when)

    first = reader_client.get(ANSWERS).context["page"]
    second = reader_client.get(ANSWERS, {"after": first.next_cursor}).context["page"]
    back = reader_client.get(ANSWERS, {"before": second.previous_cursor}).context["page"]

    assert len(first.rows) == 50 and first.previous_cursor is None
    assert len(second.rows) == 5 and second.next_cursor is None
    seen = [r.pk for r in first.rows + second.rows]
    assert len(set(seen)) == 55
    assert [r.pk for r in back.rows] == [r.pk for r in first.rows]
    ordered = [(r.responded_at, r.pk) for r in first.rows + second.rows]
    assert ordered == sorted(ordered, reverse=True)
    page = reader_client.get(ANSWERS).content.decode()
    assert re.search(r'href="\?[^"]*after=[^"]+" rel="next"', page)


@pytest.mark.parametrize(
    "params", [{"after": "not-a-cursor"}, {"before": "bm90IGpzb24"}, {"month": "2025-13"}]
)
def test_a_broken_page_link_or_month_is_an_error_on_the_page(reader_client, params):
    response = reader_client.get(ANSWERS, params)

    assert response.status_code == 200
    assert response.context["page"] is None
    assert 'class="errors" role="alert"' in response.content.decode()


def test_the_answers_page_runs_the_same_few_queries_however_many_rows(
    reader_client, customer, django_assert_max_num_queries
):
    survey = _survey("nps")
    _answer(survey, customer, 9)
    with django_assert_max_num_queries(12) as few:
        reader_client.get(ANSWERS)
    for n in range(30):
        _answer(
            survey,
            CustomerFactory(family_name=f"Other {n}") if n % 10 == 0 else customer,
            n % 11,
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        reader_client.get(ANSWERS)
