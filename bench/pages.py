"""Timing a page the way every UI benchmark reports it: median, p95, SQL queries, statuses."""

import statistics
import time


def measure(client, name: str, url: str, requests: int, warmups: int):
    """Returns (median ms, the report line, whether every response was a 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    statuses = set()
    for _ in range(warmups):
        statuses.add(client.get(url).status_code)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
    # Counted apart from the timed requests, whose timing the capture would distort.
    with CaptureQueriesContext(connection) as queries:
        statuses.add(client.get(url).status_code)
    median = statistics.median(timings)
    p95 = (
        statistics.quantiles(timings, n=100, method="inclusive")[94] if len(timings) > 1 else median
    )
    status = ",".join(str(code) for code in sorted(statuses))
    line = (
        f"page={name} median_ms={median:.1f} p95_ms={p95:.1f} "
        f"queries={len(queries.captured_queries)} status={status}"
    )
    return median, line, statuses == {200}
