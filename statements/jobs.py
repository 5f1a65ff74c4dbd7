"""The background jobs of this app (see ``crm.jobs``): monthly statement runs."""

from crm.jobs.kinds import JobKind, register

from . import runs

register(
    JobKind(
        name=runs.KIND,
        run_model="statements.StatementRun",
        chunk_model="statements.StatementChunk",
        work=runs.statement_chunk_work,
        progress_permission="statements.view_statementrun",
        in_progress_message="A statement run is already in progress; wait for it to finish.",
        counters=("statements_written",),
    )
)
