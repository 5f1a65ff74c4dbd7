"""The monthly retrain of the learned models as challengers: the "retrain" job kind.

Each month a new version of churn and of credit is trained and measured against the version in
use (the champion) on the same held-out customers; it replaces the champion only on evidence
(``services.promotion_decision``), and otherwise waits on the risk page as a candidate.

Monthly, because that is how fast the evidence grows: each training takes its features a
horizon ago (90 days for churn, a year for credit) and learns from the outcomes since, so a
month adds a month of outcomes that have become known, where a week adds too few to tell two
versions apart on the held-out customers; usage and invoices arrive monthly too; and a
training reads the whole history, which is worth doing once a month, not every week.

The retrain is a job (``crm.jobs``, on the long jobs' queue): one run a month, planned once (two
beats at the same time or one after the other find it and train nothing), one chunk per kind,
each trained by one worker under the job's claim and lock, and taken up again by
``jobs_resume`` when a worker dies.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.jobs import services as jobs
from crm.jobs.kinds import job_kind
from crm.jobs.models import JobStatus

from . import services
from .models import LEARNED_KINDS, RetrainChunk, RetrainRun

KIND = "retrain"
LABEL = "monthly challenger retrain"


def challengers_retrain_plan(*, today: date | None = None, label: str = LABEL) -> RetrainRun:
    """Plan this month's retrain: a chunk per learned kind. Refused (ValidationError) while a
    retrain is in progress or when this month's has been done already (a failed one may be
    planned again)."""
    period = (today or timezone.localdate()).replace(day=1)
    return jobs.job_plan(
        job_kind(KIND),
        ranges=[(place, place) for place in range(1, len(LEARNED_KINDS) + 1)],
        refuse=lambda: _refuse_if_done(period),
        period=period,
        requested_label=label,
    )


def _refuse_if_done(period: date) -> None:
    done = RetrainRun.objects.filter(period=period, status=JobStatus.DONE).first()
    if done is not None:
        raise ValidationError(
            f"The challengers of {period:%B %Y} were trained already (retrain {done.pk}).",
            code="done_this_month",
        )


def retrain_chunk_work(run: RetrainRun, chunk: RetrainChunk) -> dict[str, int]:
    """Train the chunk's kind, inside the transaction that marks the chunk done; too little
    history is an outcome to record, not a failure to try again."""
    kind = LEARNED_KINDS[chunk.first_id - 1]
    try:
        model = services.model_train(kind, trained_by_label=run.requested_label or LABEL)
    except services.NotEnoughHistory as error:
        model, outcome = None, str(error)
    else:
        decision = model.metrics.get("decision", {})
        verb = "promoted" if model.is_active else "kept as a candidate"
        outcome = f"{model} {verb}: {decision.get('reason', '')}"
    RetrainChunk.objects.filter(pk=chunk.pk).update(kind=kind, model=model, outcome=outcome[:500])
    return {"models_trained": int(model is not None)}


def challengers_retrain(*, today: date | None = None) -> dict[str, int | str]:
    """Plan this month's retrain and hand it to the workers of the long jobs' queue once the
    transaction commits: {"run": its id}. A retrain already in progress or done this month is
    left alone: {"refused": why}."""
    try:
        run = challengers_retrain_plan(today=today)
    except ValidationError as error:
        return {"refused": " ".join(error.messages)}
    jobs.job_request(job_kind(KIND), run)
    return {"run": run.pk}


def challengers_retrain_outcome(run: RetrainRun) -> dict[str, int | str]:
    """Per kind the version a retrain trained, or why it trained none."""
    return {
        LEARNED_KINDS[first_id - 1]: model_id or outcome
        for first_id, model_id, outcome in RetrainChunk.objects.filter(run=run)
        .order_by("first_id")
        .values_list("first_id", "model_id", "outcome")
    }
