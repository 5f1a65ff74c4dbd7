"""Prometheus metrics: what happens (requests, queries, tasks) counted as it happens, and the
state of the queues and of the work owed read from the broker and the database when scraped.

Requests come from django-prometheus's middleware. Queries are counted into django-prometheus's
own metric names by a wrapper Django puts around every query (``connection.execute_wrappers``),
not by its database engine: that engine replaces ``ENGINE``, which our settings check by name,
and declares no support for Django 6.1.

Several processes serve the same metrics (gunicorn's workers, Celery's pool): with
``PROMETHEUS_MULTIPROC_DIR`` set, prometheus_client's multiprocess mode adds them up from files
in that folder, which each container empties at its start (docs/production.md).
"""

import os
import time

from django.apps import apps
from django.utils import timezone
from django_prometheus.db import errors_total, execute_total, query_duration_seconds
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from crm.jobs.queues import JOB_TASKS, QUEUES

TASK_DURATION = Histogram(
    "crm_task_duration_seconds",
    "How long Celery tasks ran, by task, job kind (job tasks) and final state.",
    ["task", "job_kind", "state"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
TASK_FAILURES = Counter(
    "crm_task_failures",
    "Celery tasks that raised (a retry's attempts included), by task and job kind.",
    ["task", "job_kind"],
)


def job_kind_of(task_name: str, args) -> str:
    """The job kind a job task works for (its first argument), else ''."""
    return str(args[0]) if task_name in JOB_TASKS and args else ""


def count_query(execute, sql, params, many, context):
    """Django's execute wrapper: each query counted and timed under django-prometheus's names."""
    connection = context["connection"]
    labels = {"alias": connection.alias, "vendor": connection.vendor}
    execute_total.labels(**labels).inc(len(params) if many and params else 1)
    started = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    except Exception as error:
        errors_total.labels(**labels, type=type(error).__name__).inc()
        raise
    finally:
        query_duration_seconds.labels(**labels).observe(time.perf_counter() - started)


def queries_counted(sender, connection, **kwargs):
    """On each new database connection: wrap its queries, once."""
    if count_query not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_query)


class WorkOwedCollector:
    """Read at scrape time: queue lengths from the broker, hub delivery lag and failures, the
    last scoring run's duration and the last import's rows per second from the database."""

    def collect(self):
        yield from self._queues()
        yield from self._hub()
        yield from self._last_runs()

    def _queues(self):
        from crm.celery import app

        up = GaugeMetricFamily("crm_broker_up", "1 when the broker answered this scrape.")
        lengths = GaugeMetricFamily(
            "crm_queue_length", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        if app.conf.task_always_eager:  # the embedded default: no broker, nothing waits
            return
        try:
            with app.connection_for_read() as connection:
                channel = connection.default_channel
                for queue in QUEUES:
                    # Declaring an existing Redis list is a no-op; it answers with its length.
                    size = channel.queue_declare(queue=queue, passive=False).message_count
                    lengths.add_metric([queue], size)
        except Exception:  # the broker away is what this metric reports, not a failed scrape
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield lengths

    def _hub(self):
        HubDelivery = apps.get_model("partners", "HubDelivery")
        now = timezone.now()
        oldest = (
            HubDelivery.objects.filter(status="pending", next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        lag = GaugeMetricFamily(
            "crm_hub_delivery_lag_seconds",
            "How long the oldest hub delivery that is due has waited (0: none waits).",
        )
        lag.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
        yield lag
        dead = GaugeMetricFamily(
            "crm_hub_deliveries_failed", "Hub deliveries that failed for good (dead)."
        )
        dead.add_metric([], HubDelivery.objects.filter(status="dead").count())
        yield dead

    def _last_runs(self):
        scoring = _last_finished("risk", "ScoringRun")
        if scoring:
            duration = GaugeMetricFamily(
                "crm_scoring_run_last_duration_seconds",
                "How long the last finished scoring run took, start to finish.",
            )
            duration.add_metric([], (scoring.finished_at - scoring.started_at).total_seconds())
            yield duration
        imported = _last_finished("identity", "ImportJob")
        if imported:
            seconds = (imported.finished_at - imported.started_at).total_seconds()
            speed = GaugeMetricFamily(
                "crm_import_last_rows_per_second", "Rows per second of the last finished import."
            )
            speed.add_metric([], imported.rows_done / seconds if seconds > 0 else 0.0)
            yield speed


def _last_finished(app_label: str, model: str):
    Run = apps.get_model(app_label, model)
    return (
        Run.objects.filter(finished_at__isnull=False, started_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )


_work_owed = CollectorRegistry(auto_describe=False)
_work_owed.register(WorkOwedCollector())


def metrics_text() -> bytes:
    """The exposition of every metric: this process's (or all processes' in multiprocess
    mode), then those read now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(_work_owed)
