"""Staff pages: survey definitions and the follow-ups of low answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from crm.navigation import back_to
from customers.forms import apply_service_error

from .. import selectors, services
from ..forms import FollowUpAssignForm, FollowUpCloseForm, FollowUpFilterForm, SurveyForm
from ..models import FollowUp, Survey


def _posted(request):
    return request.POST if request.method == "POST" else None


@login_required
@permission_required("satisfaction.view_survey", raise_exception=True)
def survey_list(request):
    surveys = Survey.objects.prefetch_related("versions").order_by("-is_active", "name")
    return render(request, "satisfaction/surveys.html", {"surveys": surveys})


@login_required
@permission_required("satisfaction.add_survey", raise_exception=True)
@require_http_methods(["GET", "POST"])
def survey_create(request):
    kind = request.GET.get("kind", Survey.Kind.NPS)
    wording = SurveyForm.initial_wording(kind if kind in Survey.Kind.values else "nps")
    form = SurveyForm(_posted(request), wording=wording, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(
                kind=form.cleaned_data["kind"],
                texts_by_language=form.wording(),
                actor=request.user,
                **form.settings(),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Survey «{survey}» created.")
            return redirect("satisfaction:surveys")
    return render(request, "satisfaction/survey_form.html", {"form": form, "survey": None})


@login_required
@permission_required("satisfaction.change_survey", raise_exception=True)
@require_http_methods(["GET", "POST"])
def survey_edit(request, survey_id):
    survey = get_object_or_404(Survey, pk=survey_id)
    current = services.survey_current_version(survey)
    form = SurveyForm(
        _posted(request),
        survey=survey,
        wording=current.texts,
        initial={
            "name": survey.name,
            "kind": survey.kind,
            "trigger": survey.trigger,
            "interaction_kinds": survey.interaction_kinds,
            "period_days": survey.period_days,
            "expires_after_days": survey.expires_after_days,
            "remind_after_days": survey.remind_after_days,
            "follow_up_days": survey.follow_up_days,
            "is_active": survey.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(
                survey=survey,
                actor=request.user,
                texts_by_language=form.wording(),
                **form.settings(),
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Survey «{survey.name}» saved.")
            return redirect("satisfaction:surveys")
    return render(
        request,
        "satisfaction/survey_form.html",
        {"form": form, "survey": survey, "version": current},
    )


@login_required
@permission_required("satisfaction.view_followup", raise_exception=True)
def follow_up_list(request):
    form = FollowUpFilterForm(request.GET or None)
    show = form.cleaned_data.get("show") if form.is_valid() else ""
    show = show or "mine"
    follow_ups = selectors.follow_up_list(
        assigned_to_id=request.user.pk if show == "mine" else None,
        unassigned_only=show == "unassigned",
        overdue_only=show == "overdue",
        status=FollowUp.Status.DONE if show == "done" else FollowUp.Status.OPEN,
    )
    return render(
        request,
        "satisfaction/follow_ups.html",
        {"form": form, "follow_ups": follow_ups, "show": show, "today": selectors.today()},
    )


@login_required
@permission_required("satisfaction.change_followup", raise_exception=True)
@require_http_methods(["GET", "POST"])
def follow_up_close(request, follow_up_id):
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("customer__party", "response__survey", "assigned_to"),
        pk=follow_up_id,
    )
    # From the task list or a customer's panel the page goes back there once recorded.
    back = back_to(request, reverse("satisfaction:follow_ups"))
    form = FollowUpCloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_close(
                follow_up=follow_up,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Follow-up of {follow_up.customer.number} recorded.")
            return redirect(back)
    return render(
        request,
        "satisfaction/follow_up_close.html",
        {"form": form, "follow_up": follow_up, "back": back},
    )


@login_required
@permission_required("satisfaction.change_followup", raise_exception=True)
@require_http_methods(["GET", "POST"])
def follow_up_assign(request, follow_up_id):
    follow_up = get_object_or_404(
        FollowUp.objects.select_related("customer__party", "assigned_to"), pk=follow_up_id
    )
    back = back_to(request, reverse("satisfaction:follow_ups"))
    form = FollowUpAssignForm(
        _posted(request),
        assignees=selectors.follow_up_assignees(),
        initial={"assignee": follow_up.assigned_to_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            follow_up = services.follow_up_assign(
                follow_up=follow_up, assignee=form.cleaned_data["assignee"], actor=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                f"Follow-up of {follow_up.customer.number} given to "
                f"{follow_up.assigned_to.get_username()}.",
            )
            return redirect(back)
    return render(
        request,
        "satisfaction/follow_up_assign.html",
        {"form": form, "follow_up": follow_up, "back": back},
    )
