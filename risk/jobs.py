"""The background jobs of this app (see ``crm.jobs``)."""

from crm.jobs.kinds import JobKind, register
from crm.jobs.queues import JOBS_SCORING

from . import challengers, runs

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

register(
    JobKind(
        name=challengers.KIND,
        run_model="risk.RetrainRun",
        chunk_model="risk.RetrainChunk",
        work=challengers.retrain_chunk_work,
        progress_permission="risk.view_riskmodel",
        in_progress_message="The challengers are being trained already.",
        counters=("models_trained",),
        queue=JOBS_SCORING,  # CPU for minutes, like a scoring run
    )
)
