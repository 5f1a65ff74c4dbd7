"""The Celery queues, declared once: the settings' queues and routes, the workers' ``-Q`` lists
(``make worker``, compose.yaml) and the health checks all read them from here.

Work someone is waiting for must never sit behind a long run, so it has queues of its own:

- ``realtime``: a partner's hub delivery, a survey invitation, a lifecycle message, the rescore
  of one customer. Each takes well under a second; a worker on this queue does nothing else.
- ``celery`` (the default queue, under Celery's own name so that messages queued before the
  queues were split are still consumed): beat's periodic work and the sweeps (hand-offs, due
  deliveries, stalled chunks), and any task not routed elsewhere.
- ``jobs.*``: the chunks of background jobs (``crm/jobs``), by kind: a nightly scoring run may
  keep its workers busy for an hour without holding up an import or an export a member of
  staff is watching.
"""

REALTIME = "realtime"
DEFAULT = "celery"
JOBS_SCORING = "jobs.scoring"  # the nightly scoring run, model retraining: CPU for long
JOBS_STAFF = "jobs.staff"  # imports, exports, bulk actions: a member of staff watches them
JOBS_BULK = "jobs.bulk"  # every other kind: duplicate scans, retention, statements

QUEUES = (REALTIME, DEFAULT, JOBS_STAFF, JOBS_SCORING, JOBS_BULK)

REALTIME_TASKS = (
    "customers.partners.tasks.hub_delivery_send",
    "satisfaction.tasks.invitation_send",
    "satisfaction.tasks.survey_trigger",
    "messaging.tasks.outbound_message_send",
    "risk.tasks.customer_rescore",
)

# The queue of each job kind's dispatch and chunks (kinds are registered in each app's jobs
# module: crm/jobs/kinds.py). A kind not named here goes to JOBS_BULK.
JOB_KIND_QUEUES = {
    "scoring": JOBS_SCORING,
    "import": JOBS_STAFF,
    "customers-bulk": JOBS_STAFF,
}
EXPORT_KIND_PREFIX = "export-"  # every export kind ("export-customers", ...) is watched


def job_queue(kind_name: str) -> str:
    """The queue the chunks of the job kind ``kind_name`` go to."""
    if kind_name.startswith(EXPORT_KIND_PREFIX):
        return JOBS_STAFF
    return JOB_KIND_QUEUES.get(kind_name, JOBS_BULK)


# How the queues are shared out among worker processes in production (compose.yaml, one service
# each; docs/production.md says how many of each). Together they consume every queue.
WORKER_GROUPS = {
    "realtime": (REALTIME,),
    "default": (DEFAULT,),
    "staff-jobs": (JOBS_STAFF,),
    "bulk-jobs": (JOBS_SCORING, JOBS_BULK),
}


def worker_queues(group: str = "") -> str:
    """The ``-Q`` argument of a worker of ``group`` (every queue when no group is named)."""
    return ",".join(WORKER_GROUPS[group] if group else QUEUES)


JOB_TASKS = ("crm.jobs.tasks.job_dispatch", "crm.jobs.tasks.job_chunk")


def job_task_route(name, args, kwargs, options, task=None, **kw):
    """Celery's router for a job's tasks sent without a queue (``job_dispatch.delay(kind, id)``
    from a command or benchmark): the kind's queue. The job services name it themselves."""
    if name in JOB_TASKS and args:
        return {"queue": job_queue(args[0])}
    return None
