"""A job kind whose every chunk takes a while: a stand-in for a long run. The test registers it
by importing this module, and so does the worker it starts (``celery worker --include``)."""

import time

from crm.jobs import kinds

SLOW_CHUNK_SECONDS = 1.5


def _slow_work(run, chunk):
    time.sleep(SLOW_CHUNK_SECONDS)
    return {}


SLOW = kinds.register(
    kinds.JobKind(
        name="queues-test-slow",
        run_model="statements.StatementRun",
        chunk_model="statements.StatementChunk",
        work=_slow_work,
        progress_permission="statements.start_statementrun",
        in_progress_message="A slow run is in progress.",
    )
)
