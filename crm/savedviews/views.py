"""Save and delete a list's views; applying one is following its link to the list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm.exports.sources import export_source

from . import services
from .models import SavedView


def _list_or_404(request, list_name: str):
    try:
        source = export_source(list_name)
    except LookupError:
        raise Http404(f"No list {list_name}.") from None
    if not request.user.has_perm(source.permission):
        raise PermissionDenied
    return source


@login_required
@require_POST
def saved_view_save(request, list_name):
    source = _list_or_404(request, list_name)
    query = request.POST.get("query", "")
    try:
        view = services.saved_view_save(
            owner=request.user,
            list_name=list_name,
            name=request.POST.get("name", ""),
            query=query,
            group_id=request.POST.get("group") or None,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse(source.list_url_name)}?{query}")
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(f"{reverse(source.list_url_name)}?{view.query}")


@login_required
@require_POST
def saved_view_delete(request, list_name, view_id):
    source = _list_or_404(request, list_name)
    try:
        view = services.saved_view_delete(view_id=view_id, user=request.user)
    except SavedView.DoesNotExist:
        raise Http404("No such view of yours.") from None
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect(f"{reverse(source.list_url_name)}?{request.POST.get('query', '')}")
