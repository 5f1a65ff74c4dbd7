"""Celery's own signals, feeding the metrics and carrying the request id into tasks.

``before_task_publish`` puts the current request's id in the message's headers; in the worker
``task_prerun`` makes it the task's context, so whatever the task logs carries it.
``task_postrun`` times the task and writes one log line for it.
"""

import logging
import os
import time

from celery import signals

from .context import TASK_HEADER, current_request_id, request_context
from .metrics import TASK_DURATION, TASK_FAILURES, job_kind_of

logger = logging.getLogger("crm.operations.tasks")

# task id -> (start time, the context the task runs in); a worker runs a task in one thread.
_running: dict[str, tuple[float, object]] = {}


def request_id_published(headers=None, **kwargs):
    if headers is not None and not headers.get(TASK_HEADER) and (rid := current_request_id()):
        headers[TASK_HEADER] = rid


def task_started(task_id=None, task=None, **kwargs):
    request_id = getattr(task.request, TASK_HEADER, None) or (task.request.headers or {}).get(
        TASK_HEADER
    )
    # A task run in-process keeps the request's context as it is; a worker's takes the header's.
    context = request_context(request_id) if request_id else None
    if context is not None:
        context.__enter__()
    _running[task_id] = (time.monotonic(), context)


def task_ended(task_id=None, task=None, args=None, state=None, **kwargs):
    started, context = _running.pop(task_id, (None, None))
    try:
        if started is not None:
            seconds = time.monotonic() - started
            TASK_DURATION.labels(task.name, job_kind_of(task.name, args), state or "").observe(
                seconds
            )
            logger.info(
                "%s %s in %.3fs",
                task.name,
                state,
                seconds,
                extra={"task": task.name, "state": state, "duration_ms": round(1000 * seconds, 1)},
            )
    finally:
        if context is not None:
            context.__exit__(None, None, None)


def task_failed(sender=None, args=None, **kwargs):
    TASK_FAILURES.labels(sender.name, job_kind_of(sender.name, args)).inc()


def worker_metrics_served(sender=None, **kwargs):
    """A worker container's metrics on its own port (``CRM_WORKER_METRICS_PORT``), summed over
    its pool's processes; Prometheus scrapes each worker there, inside the private network."""
    port = os.environ.get("CRM_WORKER_METRICS_PORT")
    if not port:
        return
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(int(port), registry=registry)


def pool_process_ended(pid=None, **kwargs):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())


def connect() -> None:
    signals.before_task_publish.connect(request_id_published, weak=False)
    signals.task_prerun.connect(task_started, weak=False)
    signals.task_postrun.connect(task_ended, weak=False)
    signals.task_failure.connect(task_failed, weak=False)
    signals.worker_ready.connect(worker_metrics_served, weak=False)
    signals.worker_process_shutdown.connect(pool_process_ended, weak=False)
