"""The one way a service hands work to Celery: by task name, once the change has committed.

By name, so a service never imports the tasks module that imports it: tasks sit above the
services. After commit, so a worker never looks for a row the request has not written yet and
a rolled-back change sends nothing. Robustly, so a broker that cannot be reached leaves the
work to the sweep that owns it and never fails a change that is already saved.
"""

import logging
from functools import cache

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


@cache
def _tasks_registered() -> None:
    # Autodiscovered task modules are imported when a worker starts; a web process imports
    # them here, the first time it hands work over.
    current_app.loader.import_default_modules()


def task_send(task_name: str, *args, countdown: float | None = None) -> bool:
    """Send now; False when the broker could not take it (the caller's sweep will)."""
    _tasks_registered()
    task = current_app.tasks[task_name]
    try:
        task.apply_async(args, countdown=countdown)
    except Exception:  # kombu's errors differ by transport; none may undo a committed change
        if task.app.conf.task_always_eager:
            # In-process, the task itself ran and failed: its own record says how.
            logger.exception("%s%r failed in-process; left for its sweep", task_name, args)
        else:
            logger.warning("%s%r left for its sweep: broker unavailable", task_name, args)
        return False
    return True


def task_send_after_commit(task_name: str, *args, countdown: float | None = None) -> None:
    """Send ``task_name(*args)`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: task_send(task_name, *args, countdown=countdown), robust=True)
