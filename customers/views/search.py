"""The global search: a results page that works without JavaScript, and the suggestions the
header's box shows as one types (static/js/search.js)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from customers.search import RESULT_LIMIT, SUGGESTION_LIMIT, SearchResults, global_search

SEARCH_PERMISSIONS = ("customers.view_customer", "customers.view_partner")


def _may_search(user) -> bool:
    return any(user.has_perm(permission) for permission in SEARCH_PERMISSIONS)


def _results_url(term: str) -> str:
    return reverse("search:results") + "?" + urlencode({"q": term})


@require_GET
@login_required
def search_results(request):
    if not _may_search(request.user):
        raise PermissionDenied
    term = request.GET.get("q", "")
    results = global_search(term=term, user=request.user, limit=RESULT_LIMIT)
    list_url = ""
    if results.customers and request.user.has_perm("customers.view_customer"):
        list_url = reverse("customers:list") + "?" + urlencode({"q": results.term})
    return render(
        request,
        "search/results.html",
        {"results": results, "customer_list_url": list_url, "limit": RESULT_LIMIT},
    )


@require_GET
@login_required
def search_suggestions(request):
    if not _may_search(request.user):
        raise PermissionDenied
    results = global_search(
        term=request.GET.get("q", ""), user=request.user, limit=SUGGESTION_LIMIT
    )
    return JsonResponse(_suggestions(results))


def _suggestions(results: SearchResults) -> dict:
    return {
        "term": results.term,
        "groups": [
            {
                "label": label,
                "hits": [{"label": h.label, "detail": h.detail, "url": h.url} for h in hits],
            }
            for label, hits in results.groups
        ],
        "all_url": _results_url(results.term) if results.term else "",
    }


app_name = "search"
urlpatterns = [
    path("", search_results, name="results"),
    path("suggestions/", search_suggestions, name="suggestions"),
]
