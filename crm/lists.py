"""List pages: a filter bar over one keyset-paged selector.

Every list page reads its filters the same way, asks its selector for one page and shows what
went wrong in the same place: a filter that does not validate shows on its field and no rows
are shown (rows under a filter the person did not ask for would mislead), and a broken page
link shows above the list with a way back to the first page.
"""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render

from crm.keyset import KeysetPage, query_without_cursor

FIX_THE_FILTERS = "No rows are shown until the filters are fixed."


class FilterForm(forms.Form):
    """A list's filter bar. A bar whose fields show no visible label (``visible_labels =
    False``, the compact bar most lists have) gives each label to screen readers instead."""

    visible_labels = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.visible_labels:
            for name, field in self.fields.items():
                field.widget.attrs.setdefault("aria-label", self[name].label)


class PagedFilterForm(FilterForm):
    """The filter bar of a keyset-paged list: the page cursor travels in hidden fields."""

    after = forms.CharField(required=False, widget=forms.HiddenInput)
    before = forms.CharField(required=False, widget=forms.HiddenInput)


def list_page(
    request,
    template: str,
    *,
    form: forms.Form,
    page_of: Callable[..., KeysetPage],
    context: dict | None = None,
):
    """Render ``template`` with one page of rows: ``page_of(filters, after=…, before=…)`` is
    called with the form's cleaned filters (empty when the form is unbound) and raises
    ValidationError for a broken cursor."""
    page, rows_error = None, ""
    if form.is_bound and not form.is_valid():
        rows_error = FIX_THE_FILTERS
    else:
        filters = dict(form.cleaned_data) if form.is_bound else {}
        cursor = {"after": filters.pop("after", ""), "before": filters.pop("before", "")}
        try:
            page = page_of(filters, **cursor)
        except ValidationError as error:
            rows_error = " ".join(error.messages)
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "rows_error": rows_error,
            "query": query_without_cursor(request.GET),
            **(context or {}),
        },
    )
