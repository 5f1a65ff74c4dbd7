"""Celery adapters of the job mechanism: kind name and ids in, one service called."""

from celery import shared_task

from . import services
from .kinds import job_kind


@shared_task(bind=True)
def job_dispatch(self, kind: str, run_id: int) -> int:
    """Prepare a run and queue its chunks; also how a stalled run is taken up again."""
    return services.job_dispatch(job_kind(kind), run_id, in_process=bool(self.request.is_eager))


# Its own attempts are counted on the chunk (a killed worker's too), not by the retry policy.
@shared_task(bind=True, autoretry_for=())
def job_chunk(self, kind: str, chunk_id: int) -> dict | None:
    job = job_kind(kind)
    try:
        # Run eagerly, the dispatch queues the next chunk itself (no recursion a file long).
        return services.job_chunk_run(job, chunk_id=chunk_id, queue_next=not self.request.is_eager)
    except Exception as error:
        if services.job_chunk_failed(job, chunk_id=chunk_id, error=repr(error)):
            raise self.retry(
                exc=error,
                countdown=2**self.request.retries,
                max_retries=services.CHUNK_ATTEMPTS,
            ) from error
        raise


@shared_task
def jobs_resume() -> dict[str, int]:
    """Every few minutes: queue again the chunks whose tasks were lost (a worker killed
    mid-task, a broker restarted)."""
    return services.jobs_resume()
