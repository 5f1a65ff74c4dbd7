"""Demo surveys with a year of invitations and answers, for a customer base from ``seed_demo``.

Only customers who consented to surveys by e-mail are invited, at most once a month; about
45 % answer. Customers with complaints on record answer lower, so the churn model finds the
link the product expects. Rows are written in bulk; the daily tallies are then recounted.
"""

from datetime import datetime, time, timedelta

import numpy as np
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from crm.bulk import bulk_insert
from customers.models import Consent, ContactMedium, Customer
from customers.roles import staff_with_permission
from satisfaction import services
from satisfaction.models import FOLLOW_UP_PERMISSION, FollowUp, Invitation, Response, Survey
from satisfaction.scores import sentiment_of

DEMO_SURVEYS = (
    ("Support NPS", Survey.Kind.NPS, Survey.Trigger.TOUCH_POINT, ["support", "complaint"]),
    ("Billing CSAT", Survey.Kind.CSAT, Survey.Trigger.TOUCH_POINT, ["billing"]),
    ("Order effort", Survey.Kind.CES, Survey.Trigger.TOUCH_POINT, ["order"]),
    ("Relationship NPS", Survey.Kind.NPS, Survey.Trigger.PERIODIC, []),
    ("Exit survey", Survey.Kind.CSAT, Survey.Trigger.EXIT, []),
)
_TOUCH_POINTS = {
    "Support NPS": ["support", "complaint"],
    "Billing CSAT": ["billing"],
    "Order effort": ["order"],
    "Relationship NPS": ["relationship"],
}
RESPONSE_RATE = 0.45


def demo_surveys_create() -> list[Survey]:
    surveys = []
    for name, kind, trigger, interaction_kinds in DEMO_SURVEYS:
        survey = Survey.objects.filter(name=name).first()
        if survey is None:
            survey = services.survey_create(
                name=name,
                kind=kind,
                trigger=trigger,
                interaction_kinds=interaction_kinds,
                period_days=180,
                actor=None,
            )
        surveys.append(survey)
    return surveys


def _scores(rng, kind: str, unhappy: np.ndarray) -> np.ndarray:
    low, high = Survey.SCALES[kind]
    span = high - low
    # Happy customers lean to the top of the scale; unhappy ones to the middle and below.
    position = np.where(unhappy, rng.beta(2.2, 2.4, len(unhappy)), rng.beta(4.5, 1.4, len(unhappy)))
    return (low + np.rint(position * span)).astype(int)


@transaction.atomic
def demo_surveys_seed(*, seed: int = 7, months: int = 12) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    surveys = {s.name: s for s in demo_surveys_create() if s.name in _TOUCH_POINTS}
    consenting = Consent.objects.filter(
        purpose=Consent.Purpose.SURVEYS, channel=Consent.Channel.EMAIL, granted=True
    ).values("customer_id")
    customers = list(
        Customer.objects.filter(
            pk__in=consenting,
            status__in=[Customer.Status.ACTIVE, Customer.Status.SUSPENDED],
        )
        .annotate(complaints=Count("interactions", filter=Q(interactions__kind="complaint")))
        .values_list(
            "pk", "party_id", "segment", "account_manager_id", "complaints", "preferences__language"
        )
    )
    emails = dict(
        ContactMedium.objects.filter(
            kind=ContactMedium.Kind.EMAIL, party_id__in=[c[1] for c in customers]
        )
        .order_by("party_id", "-is_preferred")
        .values_list("party_id", "value")
        .distinct()
    )
    now = timezone.now()
    today = timezone.localdate()
    versions = {name: services.survey_current_version(s) for name, s in surveys.items()}
    invitations, answers = [], []
    for customer_id, party_id, segment, manager_id, complaints, language in customers:
        if party_id not in emails:
            continue
        count = int(rng.integers(1, 5))
        # At most one a month: distinct months, spread over the period.
        months_ago = np.sort(rng.choice(months, size=min(count, months), replace=False))
        for ago in months_ago:
            name = rng.choice(list(surveys))
            created = now - timedelta(days=int(ago) * 30 + int(rng.integers(0, 25)) + 1)
            invitation = Invitation(
                survey=surveys[name],
                survey_version=versions[name],
                customer_id=customer_id,
                trigger_key=f"demo:{int(ago)}",
                touch_point=str(rng.choice(_TOUCH_POINTS[name])),
                channel=Invitation.Channel.EMAIL,
                address=emails[party_id],
                language=language or "en",
                segment=segment,
                status=Invitation.Status.SENT,
                created_at=created,
                sent_at=created,
                expires_at=created + timedelta(days=14),
            )
            invitations.append(invitation)
            if rng.random() < RESPONSE_RATE:
                invitation.status = Invitation.Status.RESPONDED
                invitation.closed_at = created + timedelta(hours=int(rng.integers(1, 96)))
                answers.append((invitation, complaints > 0, manager_id))
    bulk_insert(invitations, with_ids=True)

    # Follow-ups of customers without an account manager go to the staff who work them, as
    # if a team lead had shared them out; a few wait in the Unassigned list.
    workers = list(staff_with_permission(FOLLOW_UP_PERMISSION).values_list("pk", flat=True))

    def owner_of(manager_id):
        if manager_id or not workers or rng.random() < 0.15:
            return manager_id
        return int(rng.choice(workers))

    responses, follow_ups = [], []
    for kind in Survey.Kind.values:
        of_kind = [a for a in answers if a[0].survey.kind == kind]
        if not of_kind:
            continue
        scores = _scores(rng, kind, np.array([unhappy for _, unhappy, _ in of_kind]))
        for (invitation, _, manager_id), score in zip(of_kind, scores, strict=True):
            responded = invitation.closed_at
            sentiment = sentiment_of(kind, int(score))
            response = Response(
                invitation=invitation,
                survey=invitation.survey,
                survey_version=invitation.survey_version,
                customer_id=invitation.customer_id,
                kind=kind,
                score=int(score),
                sentiment=sentiment,
                language=invitation.language,
                channel=invitation.channel,
                touch_point=invitation.touch_point,
                segment=invitation.segment,
                responded_at=responded,
            )
            responses.append(response)
            if sentiment == "negative":
                due = timezone.localdate(responded) + timedelta(days=3)
                done = due < today - timedelta(days=7)
                owner_id = owner_of(manager_id)
                closer = int(rng.choice(workers)) if workers else None
                follow_ups.append(
                    FollowUp(
                        response=response,
                        customer_id=invitation.customer_id,
                        assigned_to_id=owner_id,
                        # Whoever had it closed it; one nobody had, someone on the team.
                        closed_by_id=(owner_id or closer) if done else None,
                        reason=f"{response.short_kind} {score} in «{invitation.survey.name}»",
                        due_on=due,
                        status=FollowUp.Status.DONE if done else FollowUp.Status.OPEN,
                        outcome=FollowUp.Outcome.RESOLVED if done else "",
                        created_at=responded,
                        closed_at=datetime.combine(due, time(12), tzinfo=responded.tzinfo)
                        if done
                        else None,
                    )
                )
    bulk_insert(responses, with_ids=True)
    bulk_insert(follow_ups)
    services.follow_ups_tasks_give()
    services.results_rebuild()
    return {
        "surveys": Survey.objects.count(),
        "invitations": len(invitations),
        "responses": len(responses),
        "follow-ups": len(follow_ups),
    }
