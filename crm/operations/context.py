"""The request being served (or the one that caused a task): its id and its user, for logs.

Set by the request middleware in a web process and by the task hooks in a worker; a log record
takes them when it is created (``logs.install_record_context``), whatever handler prints it.
"""

import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar

# The Celery message header that carries the id from the request to the tasks it starts.
TASK_HEADER = "crm_request_id"
# An id from a proxy or a client is kept when it looks like one (a UUID, a trace id); anything
# else (too long, spaces, markup) is replaced, so a header cannot forge log lines.
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

_request_id: ContextVar[str] = ContextVar("crm_request_id", default="")
_user_id: ContextVar[int | None] = ContextVar("crm_user_id", default=None)


def request_id_from(header: str) -> str:
    """The incoming ``X-Request-ID`` when well-formed, else a new id."""
    return header if WELL_FORMED.fullmatch(header or "") else uuid.uuid4().hex


def current_request_id() -> str:
    return _request_id.get()


def current_user_id() -> int | None:
    return _user_id.get()


def request_id_headers(request_id: str = "") -> dict[str, str] | None:
    """Celery message headers naming the request (the current one unless given)."""
    request_id = request_id or current_request_id()
    return {TASK_HEADER: request_id} if request_id else None


@contextmanager
def request_context(request_id: str, user_id: int | None = None):
    """Within the block, logs and handed-over tasks carry ``request_id`` (and ``user_id``)."""
    tokens = _request_id.set(request_id), _user_id.set(user_id)
    try:
        yield
    finally:
        _request_id.reset(tokens[0])
        _user_id.reset(tokens[1])


def user_identified(user_id: int | None) -> None:
    """The request's user, once authentication has run."""
    _user_id.set(user_id)
