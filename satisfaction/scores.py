"""The arithmetic of NPS, CSAT and CES, on counts (so it works on a day's tally or a decade's).

* NPS: 0 to 10; promoters answer 9 or 10, passives 7 or 8, detractors 0 to 6. NPS is the share
  of promoters less the share of detractors, from -100 to +100.
* CSAT: 1 to 5; satisfied customers answer 4 or 5. CSAT is the share of satisfied answers, in %.
* CES: 1 to 7 ("the company made it easy for me"); 5 to 7 is easy, 1 to 3 is hard. CES is the
  average answer.

A negative answer (a detractor, a CSAT of 1 or 2, a CES of 1 to 3) opens a follow-up.
"""

from .models import Sentiment, Survey

# Per kind: the lowest positive answer and the highest negative one.
_BOUNDS = {
    Survey.Kind.NPS: (9, 6),
    Survey.Kind.CSAT: (4, 2),
    Survey.Kind.CES: (5, 3),
}


def sentiment_of(kind: str, score: int) -> Sentiment:
    low, high = Survey.SCALES[kind]
    if not low <= score <= high:
        raise ValueError(f"A {kind.upper()} answer is between {low} and {high}, not {score}.")
    positive_from, negative_to = _BOUNDS[kind]
    if score >= positive_from:
        return Sentiment.POSITIVE
    if score <= negative_to:
        return Sentiment.NEGATIVE
    return Sentiment.NEUTRAL


def net_promoter_score(*, promoters: int, detractors: int, responses: int) -> float | None:
    """None when nobody answered: an NPS of 0 would claim a balance nobody expressed."""
    if not responses:
        return None
    return round(100 * (promoters - detractors) / responses, 1)


def satisfied_share(*, satisfied: int, responses: int) -> float | None:
    if not responses:
        return None
    return round(100 * satisfied / responses, 1)


def average_score(*, score_sum: int, responses: int) -> float | None:
    if not responses:
        return None
    return round(score_sum / responses, 2)


def response_rate(*, responded: int, invited: int) -> float | None:
    if not invited:
        return None
    return round(100 * responded / invited, 1)


def headline(kind: str, *, responded: int, positive: int, negative: int, score_sum: int):
    """The one figure a survey kind is known by: NPS, CSAT % or the average CES."""
    if kind == Survey.Kind.NPS:
        return net_promoter_score(promoters=positive, detractors=negative, responses=responded)
    if kind == Survey.Kind.CSAT:
        return satisfied_share(satisfied=positive, responses=responded)
    return average_score(score_sum=score_sum, responses=responded)
