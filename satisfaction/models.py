"""Satisfaction surveys: definitions and their versions, invitations, responses, follow-ups, and
the daily results the reports read.

A survey's wording lives in numbered versions: an invitation and its response point at the
version the customer saw, so rewording a question never changes what an old answer meant.
"""

from django.conf import settings
from django.db import models


class Survey(models.Model):
    class Kind(models.TextChoices):
        NPS = "nps", "Net Promoter Score (0 to 10)"
        CSAT = "csat", "Customer satisfaction (1 to 5)"
        CES = "ces", "Customer effort (1 to 7)"

    class Trigger(models.TextChoices):
        TOUCH_POINT = "touch_point", "After an interaction closes"
        ONBOARDING = "onboarding", "After on-boarding"
        PERIODIC = "periodic", "Periodic relationship survey"
        EXIT = "exit", "Exit survey on termination"

    name = models.CharField(max_length=120, unique=True)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    trigger = models.CharField(max_length=12, choices=Trigger.choices)
    interaction_kinds = models.JSONField(
        default=list,
        blank=True,
        help_text="Touch point surveys: the interaction types whose closing sends it.",
    )
    period_days = models.PositiveSmallIntegerField(
        default=180, help_text="Periodic surveys: days between two invitations of a customer."
    )
    expires_after_days = models.PositiveSmallIntegerField(default=14)
    remind_after_days = models.PositiveSmallIntegerField(
        default=5, help_text="One reminder this many days after the invitation, if unanswered."
    )
    follow_up_days = models.PositiveSmallIntegerField(
        default=3, help_text="A low answer opens a follow-up due this many days later."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["trigger", "is_active"], name="survey_trigger_idx")]

    def __str__(self):
        return self.name

    # The scale of each kind, and the answers that count as negative (a follow-up) or positive.
    SCALES = {
        Kind.NPS: (0, 10),
        Kind.CSAT: (1, 5),
        Kind.CES: (1, 7),
    }

    SHORT_NAMES = {Kind.NPS: "NPS", Kind.CSAT: "CSAT", Kind.CES: "CES"}

    @property
    def scale(self) -> tuple[int, int]:
        return self.SCALES[self.kind]

    @property
    def short_kind(self) -> str:
        return self.SHORT_NAMES[self.kind]


class SurveyVersion(models.Model):
    """The wording of a survey, per language, as customers saw it from ``created_at`` on."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    texts = models.JSONField(
        help_text='Per language: {"en": {"question": …, "comment": …, "follow_ups": [...]}}.'
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["survey", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="surveyversion_unique")
        ]

    def __str__(self):
        return f"{self.survey} v{self.number}"

    def texts_for(self, language: str) -> tuple[str, dict]:
        """The language to show and its texts: the customer's, else English, else the first."""
        for candidate in (language, language.split("-")[0], "en"):
            if candidate in self.texts:
                return candidate, self.texts[candidate]
        first = next(iter(self.texts))
        return first, self.texts[first]


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Being sent"
        SENT = "sent", "Sent"
        RESPONDED = "responded", "Answered"
        BOUNCED = "bounced", "Bounced"
        OPTED_OUT = "opted_out", "Opted out"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    survey_version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_invitations"
    )
    # What sent it: "interaction:123", "onboarding", "periodic:2026-11-26", "exit:45". One
    # invitation per survey, customer and cause, so a trigger delivered twice invites once.
    trigger_key = models.CharField(max_length=64)
    touch_point = models.CharField(
        max_length=16, help_text="The interaction type, or onboarding, relationship, exit."
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    address = models.CharField(max_length=320, help_text="The e-mail or number it went to.")
    language = models.CharField(max_length=8)
    segment = models.CharField(max_length=16, help_text="The customer's segment when invited.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was answered, bounced or opted out of."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "customer", "trigger_key"], name="invitation_once_per_cause"
            )
        ]
        indexes = [
            # Fatigue: the customer's newest invitation.
            models.Index(fields=["customer", "-created_at"], name="invitation_customer_idx"),
            # Reminders: sent, unanswered, not yet reminded.
            models.Index(
                fields=["sent_at"],
                condition=models.Q(status="sent", reminded_at__isnull=True),
                name="invitation_to_remind_idx",
            ),
        ]

    def __str__(self):
        return f"{self.survey} to {self.customer_id} ({self.get_status_display()})"


class Sentiment(models.TextChoices):
    """Where an answer falls on its scale: NPS promoters, passives and detractors; satisfied,
    neutral and dissatisfied for CSAT; easy, neutral and hard for CES."""

    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


class Response(models.Model):
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="response"
    )  # one answer per invitation: a second submission finds it taken
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    survey_version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_responses"
    )
    kind = models.CharField(max_length=4, choices=Survey.Kind.choices)
    score = models.PositiveSmallIntegerField()
    sentiment = models.CharField(max_length=8, choices=Sentiment.choices)
    comment = models.TextField(blank=True)
    follow_up_answers = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8)
    channel = models.CharField(max_length=5, choices=Invitation.Channel.choices)
    touch_point = models.CharField(max_length=16)
    segment = models.CharField(max_length=16)
    responded_at = models.DateTimeField()

    class Meta:
        ordering = ["-responded_at", "-id"]
        indexes = [
            models.Index(fields=["survey", "-responded_at", "-id"], name="response_survey_idx"),
            models.Index(fields=["customer", "-responded_at"], name="response_customer_idx"),
            models.Index(fields=["-responded_at", "-id"], name="response_recent_idx"),
            # The answers list filtered on a rare segment or touch point.
            models.Index(fields=["segment", "-responded_at", "-id"], name="response_segment_idx"),
            models.Index(
                fields=["touch_point", "-responded_at", "-id"], name="response_touch_point_idx"
            ),
            # The answers list sorted by score, lowest first, across surveys or in one.
            models.Index(fields=["score", "-responded_at", "-id"], name="response_score_idx"),
            models.Index(
                fields=["survey", "score", "-responded_at", "-id"],
                name="response_survey_score_idx",
            ),
        ]

    def __str__(self):
        return f"{self.short_kind} {self.score} from {self.customer_id}"

    @property
    def short_kind(self) -> str:
        return Survey.SHORT_NAMES[self.kind]


# Who may work a follow-up, and so be given one: whoever may record its outcome.
FOLLOW_UP_PERMISSION = "satisfaction.change_followup"


class FollowUp(models.Model):
    """A low answer to act on: its owner (the account manager, unless given to someone else)
    calls the customer and records the outcome."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Spoke to the customer: resolved"
        UNRESOLVED = "unresolved", "Spoke to the customer: not resolved"
        UNREACHABLE = "unreachable", "Could not reach the customer"
        NO_ACTION = "no_action", "No action needed"

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="follow_up")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="survey_follow_ups"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_follow_ups",
    )
    # The follow-up as a task of kind "follow-up" on its owner's work list, kept in step with
    # it: its owner is ``assigned_to``, and it closes when the follow-up does.
    task = models.OneToOneField(
        "work.Task",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_follow_up",
    )
    reason = models.CharField(max_length=300)
    due_on = models.DateField()
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"], condition=models.Q(status="open"), name="followup_open_idx"
            ),
            models.Index(
                fields=["assigned_to", "due_on"],
                condition=models.Q(status="open"),
                name="followup_assigned_idx",
            ),
        ]

    def __str__(self):
        return f"Follow-up of {self.customer_id} due {self.due_on}"


class DailyResult(models.Model):
    """Invitations and answers counted per day, survey, touch point, segment and channel.

    Kept up to date in the transaction of each invitation and answer, so the reports add up a
    few thousand rows instead of scanning every response; ``rebuild_survey_results`` recounts
    them from the source rows.
    """

    day = models.DateField()
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    touch_point = models.CharField(max_length=16)
    segment = models.CharField(max_length=16)
    channel = models.CharField(max_length=5)
    invited = models.PositiveIntegerField(default=0)
    responded = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    neutral = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "survey", "touch_point", "segment", "channel"],
                name="dailyresult_unique",
            )
        ]
        indexes = [models.Index(fields=["survey", "day"], name="dailyresult_survey_day_idx")]

    def __str__(self):
        return f"{self.survey_id} on {self.day}"
