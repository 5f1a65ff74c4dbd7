"""The results pages: NPS, CSAT and CES over time and by segment, channel, touch point and
survey, and the answers behind each figure. Each view reads the filters, calls one selector and
renders; a bad filter shows on the form."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone

from crm.lists import list_page
from crm.savedviews.services import saved_views_context
from crm.sorting import SortColumn, sort_headers
from satisfaction import results as selectors
from satisfaction.exports import ANSWERS
from satisfaction.forms_results import ResponsesFilterForm, ResultsFilterForm

# Only the columns whose sort an index serves (results.ANSWER_SORTS).
_ANSWER_COLUMNS = (
    SortColumn(
        "answered", "newest", {"newest": "descending", "oldest": "ascending"}, reverse="oldest"
    ),
    SortColumn("score", "lowest", {"lowest": "ascending"}),
)


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
    filters = form.filters() if form.is_valid() else None
    return list_page(
        request,
        "satisfaction/responses.html",
        form=form,
        page_of=lambda data, **cursor: selectors.response_list(
            filters=filters, month=data["month"], sort=data["sort"], counted=True, **cursor
        ),
        context={
            "filters": filters,
            "results_query": filters.query(sentiment="") if filters else "",
            "sort_headers": sort_headers(
                request.GET, _ANSWER_COLUMNS, current=request.GET.get("sort") or "newest"
            ),
            **saved_views_context(user=request.user, list_name=ANSWERS),
        },
    )
