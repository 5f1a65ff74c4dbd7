"""The background jobs of this app (see ``crm.jobs``)."""

from crm.jobs.kinds import JobKind, register

from . import runs

register(
    JobKind(
        name=runs.KIND,
        run_model="risk.ScoringRun",
        chunk_model="risk.ScoringChunk",
        work=runs.scoring_chunk_work,
        prepare=runs.scoring_run_prepare,
        complete=runs.scoring_run_complete,
        progress_permission="risk.view_scoringrun",
        in_progress_message="A scoring run is already in progress; wait for it to finish.",
        counters=("customers_scored",),
    )
)
