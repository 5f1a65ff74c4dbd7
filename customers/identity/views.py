"""Staff pages of the identity app."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from crm.csv import csv_download
from crm.lists import list_page
from crm.permissions import permission_by_method
from crm.savedviews.services import saved_views_context
from crm.sorting import SortColumn, sort_headers
from customers.forms import apply_service_error
from customers.identity import selectors as identity_selectors
from customers.identity.exports import IMPORTS
from customers.identity.forms import ImportFilterForm, ImportForm, MergeForm
from customers.identity.models import DuplicateCandidate, DuplicateScan, ImportJob
from customers.identity.services.duplicate_scans import duplicate_scan_request
from customers.identity.services.import_errors import import_errors_csv
from customers.identity.services.imports import import_job_request
from customers.identity.services.merge import (
    customers_merge,
    duplicate_mark_distinct,
    merge_conflicts,
    merge_outcome,
)
from customers.views.common import posted as _posted

# What each decision on a pair changes: dismissing it changes the pair, merging the customers.
DECISION_PERMISSIONS = {
    "distinct": "identity.change_duplicatecandidate",
    "merge": "customers.merge_customer",
}


@login_required
@permission_required("identity.view_duplicatecandidate", raise_exception=True)
def duplicate_list(request):
    scan = DuplicateScan.objects.order_by("-requested_at").first()
    return render(
        request,
        "identity/duplicates/list.html",
        {"candidates": identity_selectors.duplicate_queue(), "scan": scan},
    )


@login_required
@permission_by_method(
    GET="identity.view_duplicatecandidate", POST="identity.view_duplicatecandidate"
)
def duplicate_review(request, candidate_id):
    candidate = get_object_or_404(
        DuplicateCandidate.objects.select_related(
            "customer_low__party", "customer_high__party", "decided_by"
        ),
        pk=candidate_id,
    )
    low, high = candidate.customer_low, candidate.customer_high
    conflicts = {
        str(low.pk): merge_conflicts(survivor=low, merged=high),
        str(high.pk): merge_conflicts(survivor=high, merged=low),
    }
    form = MergeForm(_posted(request), candidate=candidate, conflicts_by_survivor=conflicts)
    if request.method == "POST":
        decision = request.POST.get("decision")
        if not request.user.has_perm(
            DECISION_PERMISSIONS.get(decision, "customers.merge_customer")
        ):
            raise PermissionDenied
        try:
            if decision == "distinct":
                duplicate_mark_distinct(candidate=candidate, actor=request.user)
                messages.success(request, f"{low.number} and {high.number} are different people.")
                return redirect("identity:duplicates")
            if form.is_valid() and decision == "merge":
                survivor_id = int(form.cleaned_data["survivor"])
                survivor, merged = (low, high) if survivor_id == low.pk else (high, low)
                if not form.cleaned_data["confirmed"]:
                    return _merge_confirm(request, candidate, form, survivor, merged)
                survivor = customers_merge(
                    survivor=survivor,
                    merged=merged,
                    actor=request.user,
                    take_from_merged=set(form.cleaned_data["take_from_merged"]),
                )
                messages.success(request, f"{merged.number} merged into {survivor.number}.")
                return redirect(survivor)
        except ValidationError as error:
            apply_service_error(form, error)
    return render(
        request,
        "identity/duplicates/review.html",
        {
            "candidate": candidate,
            "form": form,
            "conflicts": conflicts[str(low.pk)],
            **identity_selectors.duplicate_comparison(candidate=candidate),
        },
    )


def _merge_confirm(request, candidate, form, survivor, merged):
    """What the merge will do, to confirm: it cannot be undone."""
    sides = identity_selectors.duplicate_comparison(candidate=candidate)["sides"]
    return render(
        request,
        "identity/duplicates/merge_confirm.html",
        {
            "candidate": candidate,
            "survivor": survivor,
            "merged": merged,
            "merged_side": next(side for side in sides if side["customer"] == merged),
            "take_from_merged": form.cleaned_data["take_from_merged"],
            "outcome": merge_outcome(
                survivor=survivor,
                merged=merged,
                take_from_merged=set(form.cleaned_data["take_from_merged"]),
            ),
        },
    )


@login_required
@permission_by_method(GET="identity.view_duplicatescan", POST="identity.add_duplicatescan")
def duplicate_scans(request):
    if request.method == "POST":
        try:
            duplicate_scan_request(actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Duplicate scan started.")
        return redirect("identity:duplicate_scans")
    scans = DuplicateScan.objects.select_related("requested_by")[:20]
    return render(request, "identity/duplicates/scans.html", {"scans": scans})


# An import's id grows with its request time: its time column sorts by the id's index.
IMPORT_SORT_COLUMNS = (
    SortColumn(
        "requested", "newest", {"newest": "descending", "oldest": "ascending"}, reverse="oldest"
    ),
)


@login_required
@permission_by_method(GET="identity.view_importjob", POST="identity.add_importjob")
def import_list(request):
    upload_form = ImportForm(_posted(request), request.FILES or None)
    if request.method == "POST" and upload_form.is_valid():
        try:
            job = import_job_request(
                kind=upload_form.cleaned_data["kind"],
                file=upload_form.cleaned_data["file"],
                actor=request.user,
                on_duplicate=upload_form.cleaned_data["on_duplicate"],
            )
        except ValidationError as error:
            upload_form.add_error("file", error.messages)
        else:
            return redirect("identity:import_detail", job_id=job.pk)
    return list_page(
        request,
        "identity/imports/list.html",
        form=ImportFilterForm(request.GET or None),
        page_of=lambda filters, **cursor: identity_selectors.import_list(
            **ImportFilterForm.selector_filters(filters), **cursor
        ),
        context={
            "upload_form": upload_form,
            "sort_headers": sort_headers(
                request.GET, IMPORT_SORT_COLUMNS, current=request.GET.get("sort") or "newest"
            ),
            **saved_views_context(user=request.user, list_name=IMPORTS),
        },
    )


@login_required
@permission_required("identity.view_importjob", raise_exception=True)
def import_detail(request, job_id):
    job = get_object_or_404(ImportJob.objects.select_related("uploaded_by"), pk=job_id)
    errors = job.row_errors.all()[:200]
    return render(request, "identity/imports/detail.html", {"job": job, "errors": errors})


@login_required
@permission_required("identity.view_importjob", raise_exception=True)
def import_errors_download(request, job_id):
    """The failed rows as uploaded, with why each failed: to correct and upload again."""
    job = get_object_or_404(ImportJob, pk=job_id)
    try:
        lines = import_errors_csv(job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("identity:import_detail", job_id=job.pk)
    return csv_download(lines, filename=f"import-{job.pk}-errors.csv")
