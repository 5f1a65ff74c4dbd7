"""Health checks for a load balancer and an orchestrator (django-health-check's checks, and
ours for what it has none of). A check's failure message names what failed, never an address,
a password or a stack trace: the endpoints are public.

- liveness: the process answers; nothing else is asked, so a database outage never has the
  orchestrator restart every web process.
- readiness: what serving a request needs: the database, the cache, the broker.
- workers: what background work needs: a worker consuming each queue, beat seen recently. Kept
  apart from readiness: a stopped worker must not take the web site out of the load balancer.
"""

import asyncio
import datetime

from django.conf import settings
from django.db import connections
from django.db.models import Max
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from crm.celery import app


class Broker(HealthCheck):
    """The broker takes connections (within the half-second connect timeout)."""

    timeout = datetime.timedelta(seconds=2)

    def run(self):
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=1)
                connection.default_channel.client.ping()
        except Exception as error:
            raise ServiceUnavailable("The broker cannot be reached.") from error

    def __repr__(self):
        return "Broker"


class Workers(Ping):
    """A worker answers a ping on each queue declared (crm/jobs/queues.py)."""

    def __repr__(self):
        return "Workers"


class Beat(HealthCheck):
    """Beat sent its periodic tasks lately: its database scheduler stamps each entry's last
    run (every few minutes), and the handoff sweep runs every minute."""

    timeout = datetime.timedelta(seconds=2)

    def run(self):
        from django_celery_beat.models import PeriodicTask

        try:
            last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))
        finally:
            connections["default"].close()  # this check runs in a thread of its own
        limit = datetime.timedelta(seconds=settings.CRM_BEAT_SILENCE_SECONDS)
        if last["last"] is None:
            raise ServiceUnavailable("Beat has never run.")
        if timezone.now() - last["last"] > limit:
            raise ServiceUnavailable(f"Beat has sent nothing for over {limit.seconds} seconds.")

    def __repr__(self):
        return "Beat"


def _with_broker() -> bool:
    return not app.conf.task_always_eager


class ChecksView(HealthCheckView):
    """JSON always ({check: "OK" or why not}), 503 when a check fails (django-health-check
    answers 500, which reads as a fault of the endpoint itself)."""

    async def get(self, request, *args, **kwargs):
        with self.get_executor() as executor:
            self.results = await asyncio.gather(
                *(check.get_result(executor) for check in self.get_checks())
            )
        failing = any(result.error for result in self.results)
        return self.render_to_response_json(503 if failing else 200)


class ReadinessView(ChecksView):
    def get_checks(self):
        yield Database()
        yield Cache()
        if _with_broker():
            yield Broker()


class WorkersView(ChecksView):
    def get_checks(self):
        if _with_broker():
            yield Workers(app=app, timeout=datetime.timedelta(seconds=1))
            yield Beat()
