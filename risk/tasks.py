"""Celery adapters for scoring: a run fans out into chunk tasks any worker can take."""

from celery import shared_task
from django.core.exceptions import ValidationError

from customers.models import Customer

from . import services
from .models import ScoringRun

CHUNK_RETRIES = 3


@shared_task
def scoring_run_start(as_of: str | None = None, actor_id: int | None = None) -> int | None:
    """The nightly run: plan it and queue its chunks. Returns the run's id, or None when a
    run is already in progress."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        run = services.scoring_run_start(actor=actor, as_of=as_of)
    except ValidationError:
        return None
    scoring_run_dispatch(run.pk)
    return run.pk


def scoring_run_dispatch(run_id: int) -> int:
    """Queue every chunk still to do (all of them for a new run, the rest for a resumed one)."""
    run = ScoringRun.objects.get(pk=run_id)
    pending = services.scoring_pending_chunks(run=run)
    for chunk_id in pending:
        scoring_chunk.delay(chunk_id)
    return len(pending)


@shared_task(
    bind=True,
    acks_late=True,  # a chunk whose worker dies goes back to the queue
    reject_on_worker_lost=True,
    max_retries=CHUNK_RETRIES,
)
def scoring_chunk(self, chunk_id: int) -> int:
    try:
        return services.scoring_chunk_run(chunk_id=chunk_id)
    except Exception as error:
        final = self.request.retries >= CHUNK_RETRIES
        services.scoring_chunk_failed(chunk_id=chunk_id, error=repr(error), final=final)
        if final:
            raise
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error


@shared_task
def models_retrain() -> dict:
    """The weekly retrain: a new version of each learned model, when there is history enough."""
    trained = {}
    for kind in ("churn", "credit"):
        try:
            trained[kind] = services.model_train(kind, trained_by_label="weekly retrain").pk
        except services.NotEnoughHistory as error:
            trained[kind] = str(error)
    return trained


@shared_task(acks_late=True)
def customer_rescore(customer_id: int) -> bool:
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        return False
    return services.customer_rescore(customer=customer) is not None
