"""The results pages: NPS, CSAT and CES over time and by segment, channel, touch point and
survey, and the answers behind each figure. Each view reads the filters, calls one selector and
renders; a bad filter shows on the form."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone

from crm.keyset import query_without_cursor
from satisfaction import results as selectors
from satisfaction.forms_results import ResponsesFilterForm, ResultsFilterForm


@login_required
@permission_required("satisfaction.view_response", raise_exception=True)
def results(request):
    surveys = selectors.survey_choices()
    form = ResultsFilterForm(request.GET, surveys=surveys, today=timezone.localdate())
    overview = None
    if form.is_valid():
        overview = selectors.results_overview(filters=form.filters(), surveys=surveys)
    return render(
        request,
        "satisfaction/results.html",
        {"form": form, "overview": overview, "has_surveys": bool(surveys)},
    )


@login_required
@permission_required("satisfaction.view_response", raise_exception=True)
def responses(request):
    surveys = selectors.survey_choices()
    form = ResponsesFilterForm(request.GET, surveys=surveys, today=timezone.localdate())
    page, filters, rows_error = None, None, ""
    if form.is_valid():
        filters = form.filters()
        try:
            page = selectors.response_list(
                filters=filters,
                month=form.cleaned_data["month"],
                after=form.cleaned_data["after"],
                before=form.cleaned_data["before"],
            )
        except ValidationError as error:
            rows_error = " ".join(error.messages)
    return render(
        request,
        "satisfaction/responses.html",
        {
            "form": form,
            "page": page,
            "filters": filters,
            "rows_error": rows_error,
            "query": query_without_cursor(request.GET),
            "results_query": filters.query(sentiment="") if filters else "",
        },
    )
