"""The progress of any job, as JSON for the pages that show it live."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404

from .kinds import job_kind


def job_progress_data(kind, run) -> dict:
    return {
        "status": run.status,
        "status_label": run.get_status_display(),
        "percent": run.percent_done,
        "chunks_done": run.chunks_done,
        "chunks_total": run.chunks_total,
        "chunks_failed": run.chunks_failed,
        **{name: getattr(run, name) for name in kind.counters},
    }


@login_required
def job_progress(request, kind, run_id):
    try:
        job = job_kind(kind)
    except LookupError:
        raise Http404(f"No job kind {kind}.") from None
    if not request.user.has_perm(job.progress_permission):
        raise PermissionDenied
    run = get_object_or_404(job.runs, pk=run_id)
    # Someone else's export or bulk action is not there for this user at all.
    if job.owner_field and getattr(run, f"{job.owner_field}_id") != request.user.pk:
        raise Http404("No such job of yours.")
    return JsonResponse(job_progress_data(job, run))
