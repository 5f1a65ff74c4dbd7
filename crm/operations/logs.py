"""Log records that know their request, and the JSON lines production writes them as."""

import logging
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

from .context import current_request_id, current_user_id

_installed = False


def install_record_context() -> None:
    """Every log record from now on carries ``request_id`` and ``user_id`` of the context it
    was made in (a request, or a task a request started): stamped at creation, so Celery's
    handlers, pytest's and ours all see them."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def record_with_context(*args, **kwargs):
        record = make_record(*args, **kwargs)
        record.request_id = current_request_id()
        record.user_id = current_user_id()
        return record

    logging.setLogRecordFactory(record_with_context)
    _installed = True


class JsonLineFormatter(JsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id, user_id, and the
    record's extra fields (path, status, duration_ms of a request; task, state of a task)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "fmt", "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user_id)s"
        )
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        super().__init__(*args, **kwargs)

    def formatTime(self, record, datefmt=None):
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
