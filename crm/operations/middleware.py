"""The request id, and one log line per request."""

import logging
import time

from .context import request_context, request_id_from, user_identified

logger = logging.getLogger("crm.requests")
HEADER = "X-Request-ID"


class RequestLogMiddleware:
    """Gives each request an id (the proxy's ``X-Request-ID`` when well-formed), which its log
    records and the tasks it starts carry and the response returns; logs the request's end
    with its path, status and duration. First in MIDDLEWARE (after the metrics' own), so the
    line covers every other middleware too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_from(request.headers.get(HEADER, ""))
        started = time.monotonic()
        with request_context(request.request_id):
            response = self.get_response(request)
            logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(1000 * (time.monotonic() - started), 1),
                },
            )
        response[HEADER] = request.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Authentication has run by now; the user is looked up only when a session names one.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_identified(user.pk)
        return None
