"""Exports of list pages: start one, follow it, download it."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from crm.csv import csv_download, csv_lines

from . import services
from .models import ExportFormat, ExportJob
from .sources import export_source
from .writers import export_values, xlsx_write


def _source_or_404(name: str):
    try:
        return export_source(name)
    except LookupError:
        raise Http404(f"No export of {name}.") from None


@login_required
@require_POST
def export_start(request, source):
    """The list's export button: a download, or the page of a background export."""
    source = _source_or_404(source)
    if not request.user.has_perm(source.permission):
        raise PermissionDenied
    params = QueryDict(request.POST.get("query", ""))
    back = f"{reverse(source.list_url_name)}?{params.urlencode()}"
    try:
        started = services.export_start(
            source=source, params=params, user=request.user, format=request.POST.get("format", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if isinstance(started, ExportJob):
        return redirect("exports:detail", export_id=started.pk)
    if started.format == ExportFormat.CSV:
        return csv_download(csv_lines(export_values(started.query)), filename=started.filename)
    return _xlsx_download(started)


def _xlsx_download(started: services.ExportStream) -> FileResponse:
    # Written to a temporary file first: a workbook is a zip archive, finished at its end.
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    xlsx_write(handle, export_values(started.query), sheet=started.source.title)
    handle.seek(0)
    return _file_response(handle, started.filename)


def _file_response(handle, filename: str) -> FileResponse:
    response = FileResponse(handle, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _own_export_or_404(request, export_id: int) -> tuple[ExportJob, object]:
    """The user's own export and its list; whoever may no longer read the list is refused."""
    try:
        export = services.export_for_owner(export_id=export_id, user=request.user)
    except ExportJob.DoesNotExist:
        raise Http404("No such export.") from None
    source = _source_or_404(export.source)
    if not request.user.has_perm(source.permission):
        raise PermissionDenied
    return export, source


@login_required
@require_GET
def export_detail(request, export_id):
    export, source = _own_export_or_404(request, export_id)
    return render(
        request,
        "crm/exports/detail.html",
        {
            "export": export,
            "source": source,
            "back": f"{reverse(source.list_url_name)}?{export.query}",
            "keep_days": settings.CRM_EXPORT_KEEP_DAYS,
        },
    )


@login_required
@require_GET
def export_download(request, export_id):
    export, source = _own_export_or_404(request, export_id)
    path = services.export_file_path(export)
    if export.status != ExportJob.Status.DONE or path is None or not path.exists():
        raise Http404("This export has no file (yet).")
    filename = services.export_filename(source, export.format)
    return _file_response(open(path, "rb"), filename)
