"""Campaign pages: the list, starting one from a list of customers, its figures and members,
closing it, and recording the outcome of an action."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from crm.keyset import query_without_cursor
from crm.lists import list_page
from crm.navigation import back_to
from crm.savedviews.services import saved_views_context
from customers.bulk import bulk_list, bulk_selection
from customers.forms import apply_service_error

from . import selectors
from .charts import save_rate_chart
from .exports import CAMPAIGNS
from .forms import CampaignFilterForm, CampaignForm, MemberFilterForm, OutcomeForm
from .models import Campaign, CampaignMember
from .services.campaigns import (
    ELIGIBLE_STATUSES,
    campaign_candidates,
    campaign_close,
    campaign_start,
    member_outcome_record,
)
from .services.measure import campaign_measure


@login_required
@permission_required("retention.view_campaign", raise_exception=True)
def campaign_list(request):
    return list_page(
        request,
        "retention/list.html",
        form=CampaignFilterForm(request.GET or None),
        page_of=lambda filters, **cursor: selectors.campaign_list(
            **CampaignFilterForm.selector_filters(filters), **cursor
        ),
        context=saved_views_context(user=request.user, list_name=CAMPAIGNS),
    )


def _selection_inputs(request) -> dict:
    """Which customers the campaign is for, as the bulk bar of a list sends them (or as the
    list's campaign link does: its filters, all rows)."""
    data = request.POST if request.method == "POST" else request.GET
    ids = data.getlist("ids")
    return {
        "list_name": data.get("list", ""),
        "query": data.get("query", ""),
        "scope": data.get("scope", "all"),
        "ids": ids,
    }


def _preview(customers) -> dict:
    """How many the selection holds and how many can join: one grouped query."""
    counts = (
        campaign_candidates(customers)
        .order_by()
        .values_list("status", "busy")
        .annotate(n=Count("pk"))
        .values_list("status", "busy", "n")
    )
    rows = busy = joining = 0
    for status, is_busy, n in counts:
        rows += n
        busy += n if is_busy else 0
        joining += n if not is_busy and status in ELIGIBLE_STATUSES else 0
    return {"rows": rows, "busy": busy, "joining": joining, "not_current": rows - busy - joining}


@login_required
@permission_required("retention.start_campaign", raise_exception=True)
@require_http_methods(["GET", "POST"])
def campaign_start_page(request):
    """From a list's filters or its ticked rows: the campaign's fields and how many customers
    it will cover; then start it."""
    selection = _selection_inputs(request)
    try:
        back_url = reverse(bulk_list(selection["list_name"]).url_name)
    except ValidationError:
        back_url = reverse("risk:retention")
    context = {**selection, "back": f"{back_url}?{selection['query']}"}
    confirmed = request.method == "POST" and request.POST.get("confirmed") == "yes"
    form = CampaignForm(request.POST if confirmed else None)
    context["form"] = form
    try:
        ids = [int(value) for value in selection["ids"]]
        if any(not 0 < pk < 2**63 for pk in ids):
            raise ValueError
        customers = bulk_selection(
            scope=selection["scope"],
            query=selection["query"],
            customer_ids=ids,
            user=request.user,
            list_name=selection["list_name"],
        )
    except (ValidationError, ValueError) as error:
        reasons = getattr(error, "messages", ["The selection is broken; tick the rows again."])
        context["error"] = " ".join(reasons)
        return render(request, "retention/start.html", context, status=400)
    context["preview"] = _preview(customers)
    if confirmed and form.is_valid():
        try:
            started = campaign_start(customers=customers, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            campaign = started.campaign
            note = (
                f"Campaign started for {campaign.member_count} customers "
                f"({campaign.control_count} held out as control)."
            )
            if started.skipped_running:
                note += f" {started.skipped_running} skipped: already in a running campaign."
            if started.skipped_not_current:
                note += f" {started.skipped_not_current} skipped: not a current customer."
            messages.success(request, note)
            return redirect(campaign)
    status = 400 if confirmed else 200
    return render(request, "retention/start.html", context, status=status)


def _campaign_or_404(campaign_id: int) -> Campaign:
    try:
        return Campaign.objects.select_related("created_by", "closed_by").get(pk=campaign_id)
    except Campaign.DoesNotExist:
        raise Http404("No such campaign.") from None


@login_required
@permission_required("retention.view_campaign", raise_exception=True)
def campaign_detail(request, campaign_id):
    campaign = _campaign_or_404(campaign_id)
    measure = campaign_measure(campaign)
    chart, whiskers = save_rate_chart(measure)
    filters = MemberFilterForm(request.GET or None)
    page, rows_error = None, ""
    if filters.is_bound and not filters.is_valid():
        rows_error = "No rows are shown until the filters are fixed."
    else:
        cleaned = filters.cleaned_data if filters.is_bound else {}
        try:
            page = selectors.campaign_members(
                campaign=campaign,
                group=cleaned.get("group", ""),
                outcome=cleaned.get("outcome", ""),
                after=cleaned.get("after", ""),
                before=cleaned.get("before", ""),
            )
        except ValidationError as error:
            rows_error = " ".join(error.messages)
    return render(
        request,
        "retention/detail.html",
        {
            "campaign": campaign,
            "measure": measure,
            "chart": chart,
            "whiskers": whiskers,
            "form": filters,
            "page": page,
            "rows_error": rows_error,
            "query": query_without_cursor(request.GET),
        },
    )


@login_required
@permission_required("retention.start_campaign", raise_exception=True)
@require_POST
def campaign_close_view(request, campaign_id):
    campaign = _campaign_or_404(campaign_id)
    was_running = campaign.status == Campaign.Status.RUNNING
    campaign_close(campaign=campaign, actor=request.user)
    if was_running:
        messages.success(request, "Campaign closed; its figures go on to the end of the window.")
    return redirect(campaign)


@login_required
@permission_required("retention.record_outcome", raise_exception=True)
@require_http_methods(["GET", "POST"])
def member_outcome(request, member_id):
    """What came of the action for one treated member: from the campaign's member list or the
    customer page's panel."""
    try:
        member = selectors.member_get(member_id=member_id)
    except CampaignMember.DoesNotExist:
        raise Http404("No such campaign member.") from None
    default_back = f"{reverse('retention:detail', args=[member.campaign_id])}?group=treated"
    form = OutcomeForm(
        request.POST if request.method == "POST" else None,
        initial={"outcome": member.outcome, "note": member.outcome_note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            _, changed = member_outcome_record(
                member=member, actor=request.user, **form.cleaned_data
            )
        except ValidationError as refusal:
            apply_service_error(form, refusal)
        else:
            messages.success(
                request,
                f"Outcome recorded for {member.customer.number}."
                if changed
                else f"The outcome for {member.customer.number} was already recorded.",
            )
            return redirect(back_to(request, default_back))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "retention/outcome.html",
        {
            "member": member,
            "form": form,
            "next": back_to(request, default_back),
        },
        status=status,
    )
