"""Celery adapters: triggers become invitations, invitations are sent and reminded."""

from celery import shared_task
from django.utils import timezone

from crm.handoff import task_send, tasks_send_after_commit
from customers.models import Customer

from . import services
from .models import Invitation, Survey

RELATIONSHIP_BATCH = 5000


@shared_task
def survey_trigger(customer_id: int, trigger: str, key: str, touch_point: str) -> dict[str, str]:
    """Invite the customer to every active survey of this cause; says what became of each."""
    customer = Customer.objects.select_related("party", "preferences").filter(pk=customer_id)
    customer = customer.first()
    if customer is None:
        return {}
    cause = services.Cause(trigger, key, touch_point)
    outcome = {}
    for survey in services.surveys_for(cause):
        try:
            invitation = services.invitation_create(survey=survey, customer=customer, cause=cause)
        except services.NotInvited as reason:
            outcome[survey.name] = f"not invited: {reason}"
            continue
        outcome[survey.name] = f"invitation {invitation.pk}"
    return outcome


@shared_task(bind=True)
def invitation_send(self, invitation_id: int, reminder: bool = False) -> str:
    invitation = Invitation.objects.select_related("customer__party", "survey_version").get(
        pk=invitation_id
    )
    try:
        services.invitation_send(invitation=invitation, reminder=reminder)
    except OSError as error:  # the mail server is down: try again later
        services.invitation_send_failed(invitation=invitation, reminder=reminder)
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error
    return invitation.status


@shared_task
def relationship_surveys_invite() -> dict[str, int]:
    """Daily: invite the customers due for each periodic survey, a batch a day per survey."""
    cause = services.periodic_cause(timezone.localdate())
    queued = {}
    for survey in Survey.objects.filter(trigger=Survey.Trigger.PERIODIC, is_active=True):
        ids = services.relationship_survey_candidates(survey=survey, limit=RELATIONSHIP_BATCH)
        tasks_send_after_commit(
            "satisfaction.tasks.survey_trigger",
            [(customer_id, cause.trigger, cause.key, cause.touch_point) for customer_id in ids],
        )
        queued[survey.name] = len(ids)
    return queued


@shared_task
def invitations_remind() -> int:
    """Daily: one reminder for invitations still unanswered after the survey's delay, and the
    first send of invitations whose task was lost."""
    ids = services.invitations_to_remind()
    # The invitations' own records say what is owed: a send that fails is found again tomorrow.
    for invitation_id in ids:
        task_send("satisfaction.tasks.invitation_send", invitation_id, True)
    for invitation_id in services.invitations_unsent():
        task_send("satisfaction.tasks.invitation_send", invitation_id)
    return len(ids)
