"""Customer events that call for a survey: a closed interaction, on-boarding, termination."""

from functools import partial

from django.db import transaction

from . import services


def survey_after_event(sender, *, customer, action, data, **kwargs) -> None:
    cause = services.cause_of_event(action, data)
    if cause is None or not services.surveys_for(cause):
        return
    from .tasks import survey_trigger

    transaction.on_commit(
        partial(survey_trigger.delay, customer.pk, cause.trigger, cause.key, cause.touch_point),
        robust=True,  # a survey is not worth failing the customer's change for
    )
