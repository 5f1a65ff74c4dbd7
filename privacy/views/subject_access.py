"""Subject access: start an export from the customer page, follow it, download its files."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from customers.views.common import customer_or_404

from .. import subject_access as services
from ..models import SubjectAccessExport


def _export_or_404(export_id: int) -> SubjectAccessExport:
    try:
        return services.subject_access_get(export_id=export_id)
    except SubjectAccessExport.DoesNotExist:
        raise Http404("No such export.") from None


@login_required
@permission_required("privacy.add_subjectaccessexport", raise_exception=True)
@require_POST
def subject_access_start(request, number):
    customer = customer_or_404(number)
    try:
        export = services.subject_access_request(customer=customer, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(customer)
    return redirect("privacy:subject_access", export_id=export.pk)


@login_required
@permission_required("privacy.view_subjectaccessexport", raise_exception=True)
@require_GET
def subject_access_detail(request, export_id):
    export = _export_or_404(export_id)
    return render(
        request,
        "privacy/subject_access.html",
        {
            "export": export,
            "customer": export.customer,
            "expires_at": services.subject_access_expires_at(export),
            "keep_days": settings.CRM_EXPORT_KEEP_DAYS,
        },
    )


@login_required
@permission_required("privacy.view_subjectaccessexport", raise_exception=True)
@require_GET
def subject_access_status(request, export_id):
    """What static/js/app.js polls while the export is written; it reloads the page once the
    status is no longer queued."""
    export = _export_or_404(export_id)
    done = export.status != SubjectAccessExport.Status.QUEUED
    return JsonResponse(
        {
            "status": export.status,
            "status_label": export.get_status_display(),
            "percent": 100 if done else 0,
        }
    )


@login_required
@permission_required("privacy.download_subjectaccessexport", raise_exception=True)
@require_GET
def subject_access_download(request, export_id, kind):
    export = _export_or_404(export_id)
    try:
        path = services.subject_access_download(export=export, kind=kind, actor=request.user)
    except (services.SubjectAccessFileGone, ValidationError):
        raise Http404("This export has no such file (any more).") from None
    response = FileResponse(
        open(path, "rb"),  # noqa: SIM115  (the response closes it once sent)
        as_attachment=True,
        filename=services.subject_access_filename(export, kind),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
