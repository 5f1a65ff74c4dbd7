"""The background jobs of this app (see ``crm.jobs``): retention runs."""

from crm.jobs.kinds import JobKind, register

from . import retention

register(
    JobKind(
        name=retention.KIND,
        run_model="privacy.RetentionRun",
        chunk_model="privacy.RetentionChunk",
        work=retention.retention_chunk_work,
        complete=retention.retention_run_complete,
        progress_permission="privacy.view_retentionrun",
        in_progress_message="A retention run is already in progress; wait for it to finish.",
        counters=tuple(retention.COUNTERS.values()),
    )
)
