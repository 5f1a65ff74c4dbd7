"""NPS, CSAT and CES arithmetic on hand-built answers, boundaries included."""

import pytest

from satisfaction.models import Sentiment
from satisfaction.scores import (
    average_score,
    headline,
    net_promoter_score,
    response_rate,
    satisfied_share,
    sentiment_of,
)


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0, Sentiment.NEGATIVE),
        (6, Sentiment.NEGATIVE),
        (7, Sentiment.NEUTRAL),
        (8, Sentiment.NEUTRAL),
        (9, Sentiment.POSITIVE),
        (10, Sentiment.POSITIVE),
    ],
)
def test_nps_answers_split_at_6_7_8_9(score, expected):
    assert sentiment_of("nps", score) == expected


@pytest.mark.parametrize(
    ("kind", "score", "expected"),
    [
        ("csat", 1, Sentiment.NEGATIVE),
        ("csat", 2, Sentiment.NEGATIVE),
        ("csat", 3, Sentiment.NEUTRAL),
        ("csat", 4, Sentiment.POSITIVE),
        ("csat", 5, Sentiment.POSITIVE),
        ("ces", 1, Sentiment.NEGATIVE),
        ("ces", 3, Sentiment.NEGATIVE),
        ("ces", 4, Sentiment.NEUTRAL),
        ("ces", 5, Sentiment.POSITIVE),
        ("ces", 7, Sentiment.POSITIVE),
    ],
)
def test_csat_and_ces_answers_split_at_their_boundaries(kind, score, expected):
    assert sentiment_of(kind, score) == expected


@pytest.mark.parametrize(("kind", "score"), [("nps", -1), ("nps", 11), ("csat", 0), ("ces", 8)])
def test_an_answer_off_the_scale_is_refused(kind, score):
    with pytest.raises(ValueError, match="between"):
        sentiment_of(kind, score)


def _nps(scores: list[int]) -> float | None:
    sentiments = [sentiment_of("nps", s) for s in scores]
    return net_promoter_score(
        promoters=sentiments.count(Sentiment.POSITIVE),
        detractors=sentiments.count(Sentiment.NEGATIVE),
        responses=len(scores),
    )


def test_nps_without_answers_is_unknown_not_zero():
    assert _nps([]) is None


def test_nps_of_promoters_only_is_100_and_of_detractors_only_minus_100():
    assert _nps([9, 10, 10]) == 100.0
    assert _nps([0, 3, 6]) == -100.0


def test_nps_counts_the_boundary_answers_on_the_right_side():
    # 6 detractor, 7 and 8 passive, 9 promoter: (1 - 1) / 4
    assert _nps([6, 7, 8, 9]) == 0.0
    # 2 promoters, 1 passive, 1 detractor: (2 - 1) / 4 = 25
    assert _nps([9, 10, 8, 6]) == 25.0
    # passives only: neither promoters nor detractors
    assert _nps([7, 8, 7]) == 0.0


def test_csat_is_the_share_of_4_and_5_and_ces_the_average():
    assert satisfied_share(satisfied=3, responses=4) == 75.0
    assert satisfied_share(satisfied=0, responses=0) is None
    assert average_score(score_sum=5 + 6 + 2, responses=3) == 4.33
    assert average_score(score_sum=0, responses=0) is None


def test_response_rate_is_answers_over_invitations():
    assert response_rate(responded=1, invited=3) == 33.3
    assert response_rate(responded=0, invited=0) is None


def test_the_headline_figure_follows_the_survey_kind():
    counts = {"responded": 4, "positive": 2, "negative": 1, "score_sum": 20}
    assert headline("nps", **counts) == 25.0
    assert headline("csat", **counts) == 50.0
    assert headline("ces", **counts) == 5.0
