"""Customer events that call for a survey: a closed interaction, on-boarding, termination."""

from crm.handoff import tasks_send_after_commit

from . import services


def survey_after_event(sender, *, events, **kwargs) -> None:
    """Queue a survey trigger for each event of the batch that is a cause some active survey
    follows; the surveys are read once per kind of cause, not once per event."""
    surveys_by_cause: dict = {}
    triggers = []
    for event in events:
        cause = services.cause_of_event(event.action, event.data)
        if cause is None:
            continue
        audience = (cause.trigger, cause.touch_point)
        if audience not in surveys_by_cause:
            surveys_by_cause[audience] = bool(services.surveys_for(cause))
        if surveys_by_cause[audience]:
            triggers.append((event.customer.pk, cause.trigger, cause.key, cause.touch_point))
    tasks_send_after_commit("satisfaction.tasks.survey_trigger", triggers)
