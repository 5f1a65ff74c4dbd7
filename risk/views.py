"""Staff pages of value and risk: each view checks a permission, calls a service or selector,
and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from crm.lists import list_page
from crm.savedviews.services import saved_views_context
from crm.sorting import SortColumn, sort_headers
from customers.bulk import bulk_actions_for
from customers.models import Customer
from customers.selectors import customer_get

from . import runs, selectors, services
from .exports import RETENTION
from .forms import RetentionFilterForm, RunStartForm
from .models import RiskModel, ScoreKind


@login_required
# The page shows the model versions as well as the runs.
@permission_required(("risk.view_scoringrun", "risk.view_riskmodel"), raise_exception=True)
def overview(request):
    return render(request, "risk/overview.html", selectors.risk_overview())


@login_required
@permission_required("risk.start_scoringrun", raise_exception=True)
@require_POST
def run_start(request):
    form = RunStartForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was started: reload the page and try again.")
        return redirect("risk:overview")
    try:
        run = runs.scoring_run_request(
            actor=request.user, newest_seen_run_id=form.cleaned_data["newest_run"]
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect("risk:overview")
    run.refresh_from_db()  # with tasks in-process the run has already been carried out
    if run.in_progress:
        chunks = f"{run.chunks_total} chunk{pluralize(run.chunks_total)}"
        messages.success(request, f"Scoring run {run.pk} started: {chunks}.")
    else:
        scored = f"{run.customers_scored} customer{pluralize(run.customers_scored)} scored"
        messages.success(
            request, f"Scoring run {run.pk} {run.get_status_display().lower()}: {scored}."
        )
    return redirect("risk:overview")


@login_required
@permission_required("risk.train_riskmodel", raise_exception=True)
@require_POST
def model_train(request, kind):
    if kind not in ScoreKind.values:
        raise Http404(f"No model kind {kind}.")
    try:
        services.model_train_request(kind=kind, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Training a new {ScoreKind(kind).label.lower()} model. It becomes active if it "
            "ranks held-out customers at least as well as the active one; otherwise it waits "
            "here as a candidate.",
        )
    return redirect("risk:overview")


@login_required
@permission_required("risk.train_riskmodel", raise_exception=True)
@require_POST
def model_promote(request, model_id):
    model = get_object_or_404(RiskModel, pk=model_id)
    try:
        services.model_promote(model=model, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{model} is now the active version; the next scoring uses it.")
    return redirect("risk:overview")


@login_required
@permission_required("risk.train_riskmodel", raise_exception=True)
@require_POST
def model_roll_back(request, kind):
    if kind not in ScoreKind.values:
        raise Http404(f"No model kind {kind}.")
    try:
        model = services.model_roll_back(kind=kind, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, f"Rolled back: {model} is the active version again; the next scoring uses it."
        )
    return redirect("risk:overview")


# Only the columns whose sort an index serves (selectors.RETENTION_SORTS).
_RETENTION_COLUMNS = (
    SortColumn("value_at_risk", "value_at_risk", {"value_at_risk": "descending"}),
    SortColumn("churn", "churn", {"churn": "descending"}),
    SortColumn("value", "value", {"value": "descending"}),
)


@login_required
# A work list of customers by their scores.
@permission_required(
    ("customers.view_customer", "customers.view_latestscores"), raise_exception=True
)
def retention(request):
    return list_page(
        request,
        "risk/retention.html",
        form=RetentionFilterForm(request.GET or None),
        page_of=lambda filters, **cursor: selectors.retention_work_list(
            **RetentionFilterForm.selector_filters(filters),
            sort=RetentionFilterForm.sort_of(filters),
            counted=True,
            **cursor,
        ),
        context={
            "sort_headers": sort_headers(
                request.GET, _RETENTION_COLUMNS, current=request.GET.get("sort") or "value_at_risk"
            ),
            "bulk_actions": bulk_actions_for(request.user),
            **saved_views_context(user=request.user, list_name=RETENTION),
        },
    )


@login_required
@permission_required("risk.start_scoringrun", raise_exception=True)
@require_POST
def customer_rescore(request, number):
    try:
        customer = customer_get(number=number)
    except Customer.DoesNotExist:
        raise Http404(f"No customer {number}.") from None
    if services.customer_rescore(customer=customer) is None:
        messages.info(request, "Nothing to score: the customer holds no product.")
    else:
        messages.success(request, "Scores updated.")
    return redirect(customer)
