"""Surveys, invitations, answers and follow-ups.

An invitation is created in its own transaction once every rule allows it (the survey is
active, the customer consented to surveys on a channel we can reach them on, and was not
invited in the last ``SATISFACTION_FATIGUE_DAYS``), then sent; the customer row is locked while
the rules are checked, so two triggers at the same moment cannot both invite. The answer is
stored once (one response per invitation), counted into the daily results in the same
transaction, and a negative answer opens a follow-up for the account manager.
"""

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from crm.bulk import bulk_insert
from crm.handoff import task_send_after_commit
from customers.models import Consent, ContactMedium, Customer, Interaction
from customers.roles import may_be_given
from customers.services import action_log_record, consent_record, interaction_record
from customers.services.audit import customer_lock_for_edit
from work.models import Task
from work.services import (
    TASK_OWNER_PERMISSION,
    task_assign,
    task_complete_from_its_page,
    task_create,
)
from work.services import (
    TITLE_MAX as TASK_TITLE_MAX,
)

from . import texts
from .models import (
    FOLLOW_UP_PERMISSION,
    DailyResult,
    FollowUp,
    Invitation,
    Response,
    Sentiment,
    Survey,
    SurveyVersion,
)
from .scores import sentiment_of

logger = logging.getLogger(__name__)
FOLLOW_UP_TASK_BATCH = 5000

_TOKEN_SALT = "satisfaction.invitation"
COMMENT_MAX = 2000
FOLLOW_UP_ANSWER_MAX = 500


# --- Survey definitions ---------------------------------------------------------------------


def _clean_texts(texts_by_language: dict) -> dict:
    if not isinstance(texts_by_language, dict) or not texts_by_language:
        raise ValidationError({"texts": "A survey needs its question in at least one language."})
    cleaned = {}
    for language, entry in texts_by_language.items():
        question = str(entry.get("question", "")).strip()
        if not question:
            raise ValidationError({"texts": f"The question in '{language}' is empty."})
        follow_ups = [str(q).strip() for q in entry.get("follow_ups", []) if str(q).strip()]
        cleaned[language] = {
            "question": question,
            "comment": str(entry.get("comment", "")).strip(),
            "follow_ups": follow_ups[:5],
        }
    return cleaned


@transaction.atomic
def survey_create(
    *, name: str, kind: str, trigger: str, actor, texts_by_language: dict | None = None, **options
) -> Survey:
    if kind not in Survey.Kind.values:
        raise ValidationError({"kind": f"Unknown survey kind '{kind}'."})
    if trigger not in Survey.Trigger.values:
        raise ValidationError({"trigger": f"Unknown trigger '{trigger}'."})
    survey = Survey(name=name.strip(), kind=kind, trigger=trigger, **options)
    _check_trigger_options(survey)
    survey.full_clean()
    survey.save()
    survey_version_add(
        survey=survey, texts_by_language=texts_by_language or texts.default_texts(kind), actor=actor
    )
    return survey


def _check_trigger_options(survey: Survey) -> None:
    kinds = survey.interaction_kinds or []
    unknown = set(kinds) - set(Interaction.Kind.values)
    if unknown:
        raise ValidationError(
            {"interaction_kinds": f"Unknown interaction types: {sorted(unknown)}"}
        )
    if Interaction.Kind.SURVEY in kinds:
        raise ValidationError({"interaction_kinds": "A survey cannot follow a survey contact."})
    if survey.trigger == Survey.Trigger.TOUCH_POINT and not kinds:
        raise ValidationError(
            {"interaction_kinds": "Choose the interaction types after which to ask."}
        )


@transaction.atomic
def survey_update(
    *, survey: Survey, actor, texts_by_language: dict | None = None, **changes
) -> Survey:
    """Change a survey's settings; new wording becomes a new version (answers given to the old
    one keep pointing at it). The kind cannot change: old answers are on its scale."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if "kind" in changes and changes.pop("kind") != survey.kind:
        raise ValidationError({"kind": "A survey's scale cannot change; create a new survey."})
    for field, value in changes.items():
        setattr(survey, field, value)
    _check_trigger_options(survey)
    survey.full_clean()
    survey.save()
    if texts_by_language is not None:
        current = survey_current_version(survey)
        if _clean_texts(texts_by_language) != current.texts:
            survey_version_add(survey=survey, texts_by_language=texts_by_language, actor=actor)
    return survey


def survey_version_add(*, survey: Survey, texts_by_language: dict, actor) -> SurveyVersion:
    last = survey.versions.order_by("-number").values_list("number", flat=True).first() or 0
    return SurveyVersion.objects.create(
        survey=survey,
        number=last + 1,
        texts=_clean_texts(texts_by_language),
        created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def survey_current_version(survey: Survey) -> SurveyVersion:
    return survey.versions.order_by("-number").first()


# --- Triggers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cause:
    """Why a customer is being asked: the survey trigger, a key unique per cause, and the touch
    point the answer is reported under."""

    trigger: str
    key: str
    touch_point: str


_CLOSED_OUTCOMES = {Interaction.Outcome.RESOLVED, "closed", "unresolved"}
_INTERACTION_KEY = "interaction:"


def interaction_id_of(trigger_key: str) -> int | None:
    """The interaction a touch point invitation was sent after ("interaction:12@34" is 12)."""
    cause = trigger_key.split("@", 1)[0]
    if not cause.startswith(_INTERACTION_KEY):
        return None
    try:
        return int(cause.removeprefix(_INTERACTION_KEY))
    except ValueError:
        return None


def cause_of_event(action: str, data: dict) -> Cause | None:
    """The survey cause a customer event is, if any.

    A touch point closes either when it is recorded with a closing outcome or later, when an
    open one is resolved; both name the same cause ("interaction:<id>"), and an interaction
    closes only once, so it is asked about once.
    """
    if action in ("interaction.recorded", "interaction.resolved"):
        if data.get("kind") == Interaction.Kind.SURVEY:
            return None  # our own invitations and answers
        if data.get("outcome") not in _CLOSED_OUTCOMES:
            return None
        return Cause(Survey.Trigger.TOUCH_POINT, f"{_INTERACTION_KEY}{data['id']}", data["kind"])
    if action == "customer.establish":
        return Cause(Survey.Trigger.ONBOARDING, "onboarding", "onboarding")
    if action == "customer.terminate":
        return Cause(Survey.Trigger.EXIT, f"exit:{timezone.localdate():%Y-%m-%d}", "exit")
    return None


def surveys_for(cause: Cause) -> list[Survey]:
    surveys = Survey.objects.filter(trigger=cause.trigger, is_active=True)
    if cause.trigger == Survey.Trigger.TOUCH_POINT:
        return [s for s in surveys if cause.touch_point in s.interaction_kinds]
    return list(surveys)


# --- Invitations ----------------------------------------------------------------------------


class NotInvited(Exception):
    """A rule forbids the invitation; the message says which."""


def _reachable_channel(customer: Customer) -> tuple[str, str]:
    """The channel and address to invite on: one the customer consented to surveys on, the
    preferred one first, e-mail before SMS."""
    granted = set(
        Consent.objects.filter(
            customer=customer, purpose=Consent.Purpose.SURVEYS, granted=True
        ).values_list("channel", flat=True)
    )
    if not granted & {Consent.Channel.EMAIL, Consent.Channel.SMS}:
        raise NotInvited("no consent to surveys by e-mail or SMS")
    preferred = getattr(getattr(customer, "preferences", None), "preferred_channel", "")
    order = sorted([Invitation.Channel.EMAIL, Invitation.Channel.SMS], key=lambda c: c != preferred)
    media: dict[str, str] = {}
    for kind, value in (
        ContactMedium.objects.filter(
            party_id=customer.party_id,
            kind__in=[ContactMedium.Kind.EMAIL, ContactMedium.Kind.MOBILE],
        )
        .order_by("-is_preferred", "id")
        .values_list("kind", "value")
    ):
        media.setdefault(kind, value)  # the preferred medium of each kind first
    for channel in order:
        medium = ContactMedium.Kind.EMAIL if channel == "email" else ContactMedium.Kind.MOBILE
        if channel in granted and media.get(medium):
            return channel, media[medium]
    raise NotInvited("no e-mail address or mobile number on a consented channel")


def invitation_create(*, survey: Survey, customer: Customer, cause: Cause) -> Invitation:
    """Create the invitation if every rule allows it; raises NotInvited with the reason."""
    now = timezone.now()
    with transaction.atomic():
        customer_lock_for_edit(customer)  # one invitation decision per customer at a time
        if not Survey.objects.filter(pk=survey.pk, is_active=True).exists():
            raise NotInvited("the survey is not active")
        # The key names the customer it was made for: after a merge, the survivor holds both
        # customers' "onboarding" invitations without a clash.
        trigger_key = f"{cause.key}@{customer.pk}"
        existing = Invitation.objects.filter(
            survey=survey, customer=customer, trigger_key=trigger_key
        ).first()
        if existing is not None:
            return existing  # a trigger delivered twice
        fatigue = timedelta(days=settings.SATISFACTION_FATIGUE_DAYS)
        if Invitation.objects.filter(customer=customer, created_at__gt=now - fatigue).exists():
            raise NotInvited(
                f"already invited in the last {settings.SATISFACTION_FATIGUE_DAYS} days"
            )
        if cause.trigger == Survey.Trigger.PERIODIC:
            last = Invitation.objects.filter(survey=survey, customer=customer).aggregate(
                last=Max("created_at")
            )["last"]
            if last and last > now - timedelta(days=survey.period_days):
                raise NotInvited(f"asked this survey in the last {survey.period_days} days")
        channel, address = _reachable_channel(customer)
        preferences = getattr(customer, "preferences", None)
        invitation = Invitation.objects.create(
            survey=survey,
            survey_version=survey_current_version(survey),
            customer=customer,
            trigger_key=trigger_key,
            touch_point=cause.touch_point,
            channel=channel,
            address=address,
            language=preferences.language if preferences else "en",
            segment=customer.segment,
            created_at=now,
            expires_at=now + timedelta(days=survey.expires_after_days),
        )
        # Its sending is asked for with it: an invitation is never made and then forgotten.
        task_send_after_commit("satisfaction.tasks.invitation_send", invitation.pk)
        return invitation


def invitation_token(invitation: Invitation) -> str:
    """The invitation's id, signed: the same link in the invitation and its reminder. It
    expires with the invitation (``expires_at``), not with the signature."""
    return signing.Signer(salt=_TOKEN_SALT).sign(str(invitation.pk))


def invitation_link(invitation: Invitation) -> str:
    path = reverse("survey:answer", args=[invitation_token(invitation)])
    return settings.CRM_PUBLIC_URL + path


def opt_out_link(invitation: Invitation) -> str:
    path = reverse("survey:opt_out", args=[invitation_token(invitation)])
    return settings.CRM_PUBLIC_URL + path


def invitation_send(*, invitation: Invitation, reminder: bool = False) -> Invitation:
    """Send (or remind of) an invitation on its channel and record it as an interaction.

    A send claims the invitation first (pending to sent, or sent to reminded), so a task
    delivered twice sends once.
    """
    now = timezone.now()
    if reminder:
        claimed = Invitation.objects.filter(
            pk=invitation.pk,
            status=Invitation.Status.SENT,
            reminded_at__isnull=True,
            expires_at__gt=now,
        ).update(reminded_at=now)
    else:
        claimed = Invitation.objects.filter(
            pk=invitation.pk, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.SENT, sent_at=now)
    if not claimed:
        return invitation
    invitation.refresh_from_db()
    customer = invitation.customer
    if not Consent.objects.filter(
        customer=customer,
        purpose=Consent.Purpose.SURVEYS,
        channel=invitation.channel,
        granted=True,
    ).exists():
        # Consent withdrawn since the invitation was made: nothing goes out.
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.OPTED_OUT, closed_at=now
        )
        invitation.refresh_from_db()
        return invitation
    words = texts.page_text(invitation.language)
    language, wording = invitation.survey_version.texts_for(invitation.language)
    context = {
        "invitation": invitation,
        "customer": customer,
        "name": customer.party.display_name,
        "words": words,
        "greeting": words["greeting"].format(name=customer.party.display_name),
        "expires": words["expires"].format(date=timezone.localdate(invitation.expires_at)),
        "question": wording["question"],
        "link": invitation_link(invitation),
        "opt_out_link": opt_out_link(invitation),
        "language": language,
    }
    context["unsubscribe"] = words["unsubscribe"].format(link=context["opt_out_link"])
    subject = words["reminder_subject" if reminder else "subject"]
    if invitation.channel == Invitation.Channel.EMAIL:
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("satisfaction/email/invitation.txt", context),
            to=[invitation.address],
            headers={"List-Unsubscribe": f"<{context['opt_out_link']}>"},
        )
        message.attach_alternative(
            render_to_string("satisfaction/email/invitation.html", context), "text/html"
        )
        message.send()
    else:
        # No SMS gateway is part of the product: the message is logged, and recorded below.
        # The link itself is the customer's key: it stays out of the log.
        logger.info("SMS survey invitation %s sent to %s", invitation.pk, invitation.address)
    with transaction.atomic():
        interaction_record(
            customer=customer,
            channel=invitation.channel,
            direction=Interaction.Direction.OUTBOUND,
            kind=Interaction.Kind.SURVEY,
            summary=f"{'Reminder of' if reminder else 'Invitation to'} «{invitation.survey}»",
            actor="satisfaction",
        )
        if not reminder:
            _count(invitation, invited=1)
    return invitation


def invitation_send_failed(*, invitation: Invitation, reminder: bool) -> None:
    """The message did not go out (the mail server was down): undo the claim, so the retry
    or the daily sweep sends it, and leave an answered or closed invitation alone."""
    if reminder:
        Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SENT).update(
            reminded_at=None
        )
    else:
        Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SENT).update(
            status=Invitation.Status.PENDING, sent_at=None
        )


def invitations_unsent() -> list[int]:
    """Invitations made over an hour ago and still not sent (their task was lost), unexpired."""
    now = timezone.now()
    return list(
        Invitation.objects.filter(
            status=Invitation.Status.PENDING,
            created_at__lt=now - timedelta(hours=1),
            expires_at__gt=now,
        ).values_list("pk", flat=True)
    )


def invitations_to_remind() -> list[int]:
    """Sent and unanswered for the survey's reminder delay, not reminded, not expired: one
    query per survey, on the partial index of invitations waiting for a reminder."""
    now = timezone.now()
    due = []
    for survey_id, delay in Survey.objects.values_list("pk", "remind_after_days"):
        due += Invitation.objects.filter(
            survey_id=survey_id,
            status=Invitation.Status.SENT,
            reminded_at__isnull=True,
            sent_at__lte=now - timedelta(days=delay),
            expires_at__gt=now,
        ).values_list("pk", flat=True)
    return due


@transaction.atomic
def invitation_bounced(*, invitation: Invitation, actor) -> Invitation:
    """The message could not be delivered: the invitation closes, the address is noted."""
    updated = Invitation.objects.filter(
        pk=invitation.pk, status__in=[Invitation.Status.PENDING, Invitation.Status.SENT]
    ).update(status=Invitation.Status.BOUNCED, closed_at=timezone.now())
    invitation.refresh_from_db()
    if updated:
        action_log_record(
            action="survey.bounced",
            customer=invitation.customer,
            actor=actor,
            data={
                "invitation": invitation.pk,
                "survey": invitation.survey.name,
                "channel": invitation.channel,
            },
        )
    return invitation


# --- The public answer ----------------------------------------------------------------------


class LinkInvalid(Exception):
    """The link was altered or never issued."""


class LinkExpired(Exception):
    pass


class AlreadyAnswered(Exception):
    pass


class InvitationClosed(Exception):
    """Bounced or opted out of: no answer is taken any more."""


def invitation_from_token(token: str) -> Invitation:
    try:
        invitation_id = int(signing.Signer(salt=_TOKEN_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise LinkInvalid from None
    invitation = (
        Invitation.objects.select_related("survey", "survey_version", "customer__party")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise LinkInvalid
    return invitation


def invitation_check_open(invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.RESPONDED:
        raise AlreadyAnswered
    if invitation.status in (Invitation.Status.OPTED_OUT, Invitation.Status.BOUNCED):
        raise InvitationClosed
    if invitation.expires_at <= timezone.now():
        raise LinkExpired


def response_submit(
    *,
    invitation: Invitation,
    score: int,
    comment: str = "",
    follow_up_answers: list[str] | None = None,
) -> Response:
    """Store the customer's answer once; a negative one opens a follow-up."""
    invitation_check_open(invitation)
    try:
        sentiment = sentiment_of(invitation.survey.kind, score)
    except ValueError as error:
        raise ValidationError({"score": str(error)}) from None
    now = timezone.now()
    questions = invitation.survey_version.texts_for(invitation.language)[1]["follow_ups"]
    answers = [str(a).strip()[:FOLLOW_UP_ANSWER_MAX] for a in (follow_up_answers or [])]
    answers = (answers + [""] * len(questions))[: len(questions)]
    try:
        with transaction.atomic():
            claimed = Invitation.objects.filter(
                pk=invitation.pk,
                status__in=[Invitation.Status.SENT, Invitation.Status.PENDING],
                expires_at__gt=now,
            ).update(status=Invitation.Status.RESPONDED, closed_at=now)
            if not claimed:
                raise AlreadyAnswered
            response = Response.objects.create(
                invitation=invitation,
                survey=invitation.survey,
                survey_version=invitation.survey_version,
                customer=invitation.customer,
                kind=invitation.survey.kind,
                score=score,
                sentiment=sentiment,
                comment=comment.strip()[:COMMENT_MAX],
                follow_up_answers=answers,
                language=invitation.language,
                channel=invitation.channel,
                touch_point=invitation.touch_point,
                segment=invitation.segment,
                responded_at=now,
            )
            _count(
                invitation,
                day=timezone.localdate(now),
                responded=1,
                score_sum=score,
                **{sentiment: 1},
            )
            if sentiment == Sentiment.NEGATIVE:
                _follow_up_open(response)
            action_log_record(
                action="survey.answered",
                customer=invitation.customer,
                actor=f"customer {invitation.customer.number}",
                data={
                    "survey": invitation.survey.name,
                    "kind": response.kind,
                    "score": score,
                    "sentiment": sentiment,
                },
            )
    except IntegrityError:
        raise AlreadyAnswered from None  # the same answer sent twice at once
    invitation.status = Invitation.Status.RESPONDED
    return response


def _follow_up_open(response: Response) -> FollowUp:
    """The follow-up of a low answer, and its task on the owner's work list."""
    customer = response.customer
    label = response.short_kind
    comment = f": “{response.comment[:200]}”" if response.comment else ""
    follow_up = FollowUp.objects.create(
        response=response,
        customer=customer,
        assigned_to=follow_up_default_owner(response),
        reason=f"{label} {response.score} in «{response.survey.name}»{comment}"[:300],
        due_on=timezone.localdate() + timedelta(days=response.survey.follow_up_days),
        created_at=timezone.now(),
    )
    follow_up.task = task_create(
        customer=customer,
        title=_task_title(response),
        owner=follow_up.assigned_to,
        due_on=follow_up.due_on,
        actor=None,
        kind=Task.Kind.FOLLOW_UP,
        closed_on_page=reverse("satisfaction:follow_up_close", args=[follow_up.pk]),
    )
    follow_up.save(update_fields=["task"])
    return follow_up


def follow_ups_tasks_give() -> int:
    """Give a task to every follow-up written in bulk without one (the demo's), in batches:
    open or done as the follow-up is, owned by its owner."""
    pending = (
        FollowUp.objects.filter(task__isnull=True).select_related("response__survey").order_by("pk")
    )
    given = 0
    while batch := list(pending[:FOLLOW_UP_TASK_BATCH]):
        tasks = [
            Task(
                customer_id=follow_up.customer_id,
                title=_task_title(follow_up.response),
                kind=Task.Kind.FOLLOW_UP,
                owner_id=follow_up.assigned_to_id,
                due_on=follow_up.due_on,
                state=Task.State.OPEN
                if follow_up.status == FollowUp.Status.OPEN
                else Task.State.DONE,
                created_at=follow_up.created_at,
                updated_at=follow_up.closed_at or follow_up.created_at,
                closed_at=follow_up.closed_at,
                closed_by_id=follow_up.closed_by_id,
                closed_on_page=reverse("satisfaction:follow_up_close", args=[follow_up.pk]),
            )
            for follow_up in batch
        ]
        bulk_insert(tasks, with_ids=True)
        for follow_up, task in zip(batch, tasks, strict=True):
            follow_up.task_id = task.pk
        FollowUp.objects.bulk_update(batch, ["task"])
        given += len(batch)
    return given


def _task_title(response: Response) -> str:
    """The answer a follow-up is about, without its comment: whoever sees tasks may not be
    allowed to read survey answers."""
    return f"{response.short_kind} {response.score} in «{response.survey.name}»"[:TASK_TITLE_MAX]


@transaction.atomic
def survey_opt_out(*, invitation: Invitation) -> None:
    """The customer asks for no more surveys: consent withdrawn on every channel it was given
    on (once: asking again changes and logs nothing)."""
    granted = Consent.objects.filter(
        customer=invitation.customer, purpose=Consent.Purpose.SURVEYS, granted=True
    ).values_list("channel", flat=True)
    for channel in list(granted):
        consent_record(
            customer=invitation.customer,
            channel=channel,
            purpose=Consent.Purpose.SURVEYS,
            granted=False,
            source=Consent.Source.WEB,
            actor=f"customer {invitation.customer.number}",
        )
    Invitation.objects.filter(
        customer=invitation.customer,
        status__in=[Invitation.Status.PENDING, Invitation.Status.SENT],
    ).update(status=Invitation.Status.OPTED_OUT, closed_at=timezone.now())


# --- Follow-ups -----------------------------------------------------------------------------


def follow_up_default_owner(response: Response):
    """Who a new follow-up goes to: the customer's account manager; else the staff member who
    owns the interaction the survey asked about (who handled it, for older ones); else nobody,
    and it waits in the Unassigned list. Only someone who may work follow-ups is chosen."""
    candidates = [response.customer.account_manager]
    interaction_id = interaction_id_of(response.invitation.trigger_key)
    if interaction_id is not None:
        interaction = (
            Interaction.objects.filter(pk=interaction_id).select_related("owner", "staff").first()
        )
        if interaction is not None:
            candidates += [interaction.owner, interaction.staff]
    for user in candidates:
        if user is not None and may_work_follow_ups(user):
            return user
    return None


def may_work_follow_ups(user) -> bool:
    """A follow-up is a task too: its owner works both."""
    return may_be_given(user, FOLLOW_UP_PERMISSION) and may_be_given(user, TASK_OWNER_PERMISSION)


def _locked_open_follow_up(follow_up: FollowUp) -> FollowUp:
    """The customer, then the follow-up, locked (the order every customer change takes)."""
    customer_lock_for_edit(follow_up.customer)
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("customer", "assigned_to", "task")
        .get(pk=follow_up.pk)
    )
    if follow_up.status == FollowUp.Status.DONE:
        raise ValidationError("This follow-up was already closed.", code="closed")
    return follow_up


@transaction.atomic
def follow_up_assign(*, follow_up: FollowUp, assignee, actor) -> FollowUp:
    """Give an open follow-up to ``assignee`` (None: back to the Unassigned list): its task is
    reassigned, which keeps the follow-up in step (``follow_up_task_assigned``) and is logged."""
    follow_up = _locked_open_follow_up(follow_up)
    if follow_up.task is None:  # made before follow-ups were tasks, its task lost since
        _check_follow_up_owner(assignee, field="assignee")
        FollowUp.objects.filter(pk=follow_up.pk).update(assigned_to=assignee)
    else:
        try:
            task_assign(task=follow_up.task, owner=assignee, actor=actor)
        except ValidationError as error:
            raise ValidationError({"assignee": error.messages}) from None
    follow_up.refresh_from_db()
    return follow_up


def _check_follow_up_owner(owner, *, field: str) -> None:
    if owner is not None and not may_work_follow_ups(owner):
        raise ValidationError({field: f"{owner.get_username()} may not work on follow-ups."})


def follow_up_task_assigned(sender, *, task, owner, actor, **kwargs) -> None:
    """A follow-up's task given to someone (from the task list, the customer page or the
    follow-up's own page): the follow-up follows, if its new owner may work follow-ups."""
    follow_ups = FollowUp.objects.filter(task_id=task.pk, status=FollowUp.Status.OPEN)
    if not follow_ups.exists():
        return
    _check_follow_up_owner(owner, field="owner")
    follow_ups.update(assigned_to=owner)


@transaction.atomic
def follow_up_close(*, follow_up: FollowUp, outcome: str, note: str, actor) -> FollowUp:
    if outcome not in FollowUp.Outcome.values:
        raise ValidationError({"outcome": "Choose what came of the follow-up."})
    follow_up = _locked_open_follow_up(follow_up)
    follow_up.status = FollowUp.Status.DONE
    follow_up.outcome = outcome
    follow_up.note = note.strip()
    follow_up.closed_at = timezone.now()
    # A job or a partner closes with no staff member: the page then names no one.
    follow_up.closed_by = actor if getattr(actor, "pk", None) else None
    follow_up.save()
    if follow_up.task is not None and follow_up.task.state == Task.State.OPEN:
        task_complete_from_its_page(task=follow_up.task, actor=actor)
    interaction_record(
        customer=follow_up.customer,
        channel=Interaction.Channel.PHONE,
        direction=Interaction.Direction.OUTBOUND,
        kind=Interaction.Kind.RETENTION,
        summary=f"Survey follow-up: {follow_up.get_outcome_display()}. {follow_up.note}".strip(),
        actor=actor,
    )
    return follow_up


# --- Periodic surveys -----------------------------------------------------------------------


def relationship_survey_candidates(*, survey: Survey, limit: int) -> list[int]:
    """Active customers due for this periodic survey and not invited lately, oldest first, in
    one query; the invitation service still checks every rule per customer."""
    now = timezone.now()
    fatigue_since = now - timedelta(days=settings.SATISFACTION_FATIGUE_DAYS)
    period_since = now - timedelta(days=survey.period_days)
    recent = Invitation.objects.filter(customer_id=OuterRef("pk"))
    return list(
        Customer.objects.filter(status=Customer.Status.ACTIVE)
        .exclude(Exists(recent.filter(created_at__gt=fatigue_since)))
        .exclude(Exists(recent.filter(survey=survey, created_at__gt=period_since)))
        .filter(
            Exists(
                Consent.objects.filter(
                    customer_id=OuterRef("pk"),
                    purpose=Consent.Purpose.SURVEYS,
                    granted=True,
                    channel=Consent.Channel.EMAIL,
                )
            )
            & Exists(ContactMedium.objects.filter(party_id=OuterRef("party_id"), kind="email"))
            | Exists(
                Consent.objects.filter(
                    customer_id=OuterRef("pk"),
                    purpose=Consent.Purpose.SURVEYS,
                    granted=True,
                    channel=Consent.Channel.SMS,
                )
            )
            & Exists(ContactMedium.objects.filter(party_id=OuterRef("party_id"), kind="mobile"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def periodic_cause(day: date) -> Cause:
    return Cause(Survey.Trigger.PERIODIC, f"periodic:{day:%Y-%m-%d}", "relationship")


# --- Daily results --------------------------------------------------------------------------

_COUNTS = ("invited", "responded", "positive", "neutral", "negative", "score_sum")


def _count(invitation: Invitation, *, day: date | None = None, **increments) -> None:
    """Add to the day's tally of the invitation's survey, touch point, segment and channel."""
    values = [increments.get(name, 0) for name in _COUNTS]
    table = DailyResult._meta.db_table
    updates = ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in _COUNTS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, survey_id, touch_point, segment, channel, "
            f"{', '.join(_COUNTS)}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            f"ON CONFLICT (day, survey_id, touch_point, segment, channel) DO UPDATE SET {updates}",
            [
                day or timezone.localdate(),
                invitation.survey_id,
                invitation.touch_point,
                invitation.segment,
                invitation.channel,
                *values,
            ],
        )


@transaction.atomic
def results_rebuild() -> int:
    """Recount every daily tally from the invitations and responses (after a bulk load, or
    to repair); returns the number of tallies. Days are those of the database's time zone."""
    table = DailyResult._meta.db_table
    invitations, responses = Invitation._meta.db_table, Response._meta.db_table
    day_of = "CAST({} AS DATE)" if connection.vendor == "postgresql" else "DATE({})"
    sent_day, answer_day = day_of.format("i.sent_at"), day_of.format("r.responded_at")
    tz = "SET LOCAL TIME ZONE %s" if connection.vendor == "postgresql" else None
    with connection.cursor() as cursor:
        if tz:
            cursor.execute(tz, [settings.TIME_ZONE])
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(
            f"""
            INSERT INTO {table} (day, survey_id, touch_point, segment, channel,
                                 invited, responded, positive, neutral, negative, score_sum)
            SELECT day, survey_id, touch_point, segment, channel,
                   SUM(invited), SUM(responded), SUM(positive), SUM(neutral), SUM(negative),
                   SUM(score_sum)
            FROM (
                SELECT {sent_day} AS day, i.survey_id, i.touch_point, i.segment, i.channel,
                       1 AS invited, 0 AS responded, 0 AS positive, 0 AS neutral,
                       0 AS negative, 0 AS score_sum
                FROM {invitations} i WHERE i.sent_at IS NOT NULL
                UNION ALL
                SELECT {answer_day}, r.survey_id, r.touch_point, r.segment, r.channel,
                       0, 1,
                       CASE WHEN r.sentiment = 'positive' THEN 1 ELSE 0 END,
                       CASE WHEN r.sentiment = 'neutral' THEN 1 ELSE 0 END,
                       CASE WHEN r.sentiment = 'negative' THEN 1 ELSE 0 END,
                       r.score
                FROM {responses} r
            ) AS facts
            GROUP BY day, survey_id, touch_point, segment, channel
            """
        )
        return DailyResult.objects.count()
