"""gunicorn's settings wherever the product is served with it (production, benchmarks, CI);
gunicorn reads this file from the directory it starts in."""

# The longest request line gunicorn reads: its own maximum, instead of its default of 4094
# bytes. Query strings a little too long for the API (over 4 KB) then reach Django, which
# answers with a TMF error body instead of gunicorn's HTML page; a proxy in front caps the rest.
limit_request_line = 8190


def child_exit(server, worker):
    """A worker's Prometheus samples stop counting once it exits (multiprocess mode: the web
    processes share one metrics directory, summed at scrape time)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
