"""Celery adapters for scoring: a run fans out into chunk tasks any worker can take."""

from celery import shared_task
from django.core.exceptions import ValidationError

from . import services

CHUNK_RETRIES = 3


@shared_task
def scoring_run_start(as_of: str | None = None, actor_id: int | None = None) -> int | None:
    """The nightly run: plan it, choose its models and queue its chunks. Returns the run's id,
    or None when a run is already in progress."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        run = services.scoring_run_start(actor=actor, as_of=as_of)
    except ValidationError:
        return None
    scoring_run_launch(run.pk)
    return run.pk


@shared_task(acks_late=True)
def scoring_run_launch(run_id: int) -> int:
    """Choose the models of a planned run (training defaults on a new install, which may take
    a minute) and queue its chunks; a web request plans the run and leaves this to a worker."""
    services.scoring_run_prepare(run_id=run_id)
    return scoring_run_dispatch(run_id)


def scoring_run_dispatch(run_id: int) -> int:
    """Queue every chunk still to do (all of them for a new run, the rest for a resumed one)."""
    pending = services.scoring_pending_chunks(run_id=run_id)
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
def scoring_work_resume() -> dict[str, int]:
    """Every few minutes: queue again the chunks and rescores whose tasks were lost (a worker
    killed mid-task, a broker restarted). Work already done is never redone."""
    chunks = services.scoring_runs_stalled_chunks()
    for chunk_id in chunks:
        scoring_chunk.delay(chunk_id)
    customers = services.rescore_requests_stalled()
    for customer_id in customers:
        customer_rescore.delay(customer_id)
    return {"chunks": len(chunks), "rescores": len(customers)}


@shared_task
def models_retrain() -> dict:
    """The weekly retrain: a new version of each learned model, when there is history enough."""
    trained = {}
    for kind in services.LEARNED_KINDS:
        try:
            trained[kind] = services.model_train(kind, trained_by_label="weekly retrain").pk
        except services.NotEnoughHistory as error:
            trained[kind] = str(error)
    return trained


@shared_task
def model_train(kind: str, actor_id: int | None = None) -> int | str:
    """A retrain an analyst asked for; the new version's id, or why there was none."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return services.model_train(kind, actor=actor).pk
    except services.NotEnoughHistory as error:
        return str(error)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def customer_rescore(customer_id: int) -> bool:
    """The debounced rescore after an event; True when scores were written."""
    return services.customer_rescore_requested(customer_id=customer_id) is not None
