"""Celery adapters for value and risk: ids in, one service called.

Full runs are a job kind (``risk.runs``): their chunks go through ``crm.jobs.tasks``.
"""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from crm.handoff import task_send

from . import challengers, runs, services


@shared_task
def scoring_run_start(as_of: str | None = None, actor_id: int | None = None) -> int | None:
    """The nightly run: plan it and hand it to the workers. Returns the run's id, or None when
    a run is already in progress."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return runs.scoring_run_request(actor=actor, as_of=as_of).pk
    except ValidationError:
        return None


@shared_task
def rescores_resume() -> int:
    """Every few minutes: queue again the rescores whose tasks were lost (a worker killed
    mid-task, a broker restarted)."""
    customers = services.rescore_requests_stalled()
    for customer_id in customers:
        task_send("risk.tasks.customer_rescore", customer_id)
    return len(customers)


@shared_task
def models_retrain() -> dict:
    """The monthly retrain: a challenger of each learned model, promoted only on evidence.
    Planned here, trained by the workers of the long jobs' queue."""
    return challengers.challengers_retrain()


@shared_task
def model_train(kind: str, actor_id: int | None = None, requested_at: str = "") -> int | str:
    """A retrain an analyst asked for; the new version's id, or why there was none."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return services.model_train_requested(kind, actor=actor, requested_at=requested_at)
    except services.NotEnoughHistory as error:
        return str(error)


@shared_task
def customer_rescore(customer_id: int) -> bool:
    """The debounced rescore after an event; True when scores were written."""
    return services.customer_rescore_requested(customer_id=customer_id) is not None
