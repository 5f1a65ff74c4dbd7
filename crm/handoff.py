"""The one way work is handed to Celery: durably, by task name, once the change has committed.

Durably: ``task_send_after_commit`` writes a ``Handoff`` row in the change's own transaction, so a
rolled-back change asks for nothing and a committed one never loses what it asked for. After the
commit the task goes to the broker at once, with short timeouts, and its row is removed. With the
broker away the row waits for the sweep (``handoffs_sweep``, every minute in beat), the request
is held up for no more than a refused connection, and it does not fail: its change is saved.
After one refusal a process leaves the broker alone for a few seconds, so a burst of requests
during an outage does not knock on a closed door each time.

By name, so a service never imports the tasks module that imports it: tasks sit above services.

``task_send`` sends at once, without a row. It is for the sweeps, which work out what is owed
from records of their own (stalled chunks, due deliveries, open rescore requests) and so lose
nothing when a send fails: they find it again next time.
"""

import logging
import time
from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import cache

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from crm.models import Handoff
from crm.operations.context import current_request_id, request_id_headers

logger = logging.getLogger(__name__)

# After the broker refused a send, this process tries again only after this many seconds.
BROKER_REST_SECONDS = 5.0
_broker_resting_until = 0.0


class BrokerUnavailable(Exception):
    """The broker did not take the task."""


class BrokerResting(BrokerUnavailable):
    """Not tried: the broker refused a send a moment ago."""


@cache
def _tasks_registered() -> None:
    # Autodiscovered task modules are imported when a worker starts; a web process imports
    # them here, the first time it hands work over.
    current_app.loader.import_default_modules()


def _in_process() -> bool:
    return bool(current_app.conf.task_always_eager)


def _publish(
    task_name: str,
    args: Sequence,
    countdown: float | None,
    *,
    queue: str = "",
    request_id: str = "",
) -> None:
    """Give the task to the broker, or raise BrokerUnavailable. In-process (no broker), the
    task runs here and now; its failure is the task's own, recorded by the task.

    ``queue`` overrides the task's route (CELERY_TASK_ROUTES); ``request_id`` is the request
    that asked for the work, for the task's logs (by default the current one's)."""
    global _broker_resting_until
    if not _in_process() and time.monotonic() < _broker_resting_until:
        raise BrokerResting("the broker refused a send a moment ago")
    _tasks_registered()
    task = current_app.tasks[task_name]
    try:
        # No publish retries: a send that fails is the sweep's, and the request goes on. No
        # result either: nobody waits for a hand-off's, and it would be one more connection.
        task.apply_async(
            tuple(args),
            countdown=countdown,
            retry=False,
            ignore_result=True,
            queue=queue or None,
            headers=request_id_headers(request_id),
        )
    except Exception as error:  # kombu's errors differ by transport; none may undo a change
        if _in_process():
            logger.exception("%s%r failed in-process", task_name, tuple(args))
        else:
            _broker_resting_until = time.monotonic() + BROKER_REST_SECONDS
            logger.warning("%s%r waits for the broker: %s", task_name, tuple(args), error)
        raise BrokerUnavailable(str(error)) from error


def broker_rest_end() -> None:
    """Try the broker again at the next send, whatever it refused a moment ago."""
    global _broker_resting_until
    _broker_resting_until = 0.0


def task_send(task_name: str, *args, countdown: float | None = None, queue: str = "") -> bool:
    """Send now, without a row; False when it was not taken (the caller's sweep will)."""
    try:
        _publish(task_name, args, countdown, queue=queue)
    except BrokerUnavailable:
        return False
    return True


def task_send_after_commit(
    task_name: str, *args, countdown: float | None = None, queue: str = ""
) -> None:
    """Hand ``task_name(*args)`` over with the current change (at once outside a transaction)."""
    tasks_send_after_commit(task_name, [args], countdown=countdown, queue=queue)


def tasks_send_after_commit(
    task_name: str, calls: Iterable[Sequence], *, countdown: float | None = None, queue: str = ""
) -> None:
    """Hand ``task_name`` over once for each argument list in ``calls``, rows written in one
    statement. The row keeps the queue (blank: the task's route) and the request that asked,
    so a swept row goes where, and is logged as, its first send would have."""
    due_at = timezone.now() + timedelta(seconds=countdown or 0)
    request_id = current_request_id()
    rows = Handoff.objects.bulk_create(
        [
            Handoff(
                task=task_name, args=list(args), due_at=due_at, queue=queue, request_id=request_id
            )
            for args in calls
        ],
        batch_size=1000,
    )
    if rows:
        transaction.on_commit(lambda: _send_and_remove(rows), robust=True)


def _send_and_remove(rows: list[Handoff]) -> int:
    """Send each row's task and remove the rows the broker took; the number sent. Stops at the
    first refusal: the rest wait for the sweep, with the refusal noted on them."""
    sent: list[int] = []
    for row in rows:
        remaining = (row.due_at - timezone.now()).total_seconds()
        try:
            _publish(
                row.task,
                row.args,
                remaining if remaining > 0 else None,
                queue=row.queue,
                request_id=row.request_id,
            )
        except BrokerResting:
            break
        except BrokerUnavailable as error:
            waiting = [other.pk for other in rows[len(sent) :]]
            Handoff.objects.filter(pk__in=waiting).update(
                attempts=F("attempts") + 1, last_error=str(error)[:1000]
            )
            break
        sent.append(row.pk)
    if sent:
        Handoff.objects.filter(pk__in=sent).delete()
    return len(sent)


def handoffs_waiting(*, older_than: timedelta | None = None):
    """The hand-offs the broker has not taken, oldest first: by default those whose own send,
    right after their commit, should have happened by now."""
    if older_than is None:
        older_than = timedelta(seconds=settings.CRM_HANDOFF_GRACE_SECONDS)
    return Handoff.objects.filter(created_at__lte=timezone.now() - older_than).order_by("pk")


def handoffs_sweep(*, batch: int = 500, older_than: timedelta | None = None) -> int:
    """Send what waits, a batch at a time, until the broker refuses or nothing is left; the
    number sent. Two sweeps at once share the rows out instead of sending any twice."""
    total = 0
    while True:
        with transaction.atomic():
            waiting = handoffs_waiting(older_than=older_than)
            rows = list(waiting.select_for_update(skip_locked=True)[:batch])
            sent = _send_and_remove(rows)
        total += sent
        if sent < batch:
            return total
