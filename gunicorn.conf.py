"""gunicorn's settings wherever the product is served with it (production, benchmarks, CI);
gunicorn reads this file from the directory it starts in."""

# The longest request line gunicorn reads: its own maximum, instead of its default of 4094
# bytes. Query strings a little too long for the API (over 4 KB) then reach Django, which
# answers with a TMF error body instead of gunicorn's HTML page; a proxy in front caps the rest.
limit_request_line = 8190

# Threaded workers that keep a client's connection open between requests: the partner API's
# clients (and a proxy in front) send request after request, and a sync worker closes the
# connection after each one, so every request paid for a new one on both sides. Two threads
# a worker let one request run while another waits on PostgreSQL or Redis; the number of
# workers stays on the command line (about two per core). Each thread keeps its own database
# connection (CONN_MAX_AGE), so a worker holds up to ``threads`` of them.
worker_class = "gthread"
threads = 2
# Seconds an idle kept-alive connection stays open: longer than the idle timeout of the
# connection pools of load balancers and proxies in front (60 s for nginx's upstream
# keepalive_timeout and AWS load balancers), so they close an idle connection first and never
# send a request down one that gunicorn is closing. An idle connection holds no thread.
keepalive = 75


def child_exit(server, worker):
    """A worker's Prometheus samples stop counting once it exits (multiprocess mode: the web
    processes share one metrics directory, summed at scrape time)."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """The objects the application made while loading live as long as the worker: frozen out
    of the garbage collector's sight, its full collections no longer walk them all (in-process,
    the collector's time over a thousand partner API requests fell from about 0.5 s to 0.17 s)."""
    import gc

    gc.freeze()
