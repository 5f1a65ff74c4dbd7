"""List pages: a filter bar over one keyset-paged selector.

Every list page reads its filters the same way, asks its selector for one page and shows what
went wrong in the same place: a filter that does not validate shows on its field and no rows
are shown (rows under a filter the person did not ask for would mislead), and a broken page
link shows above the list with a way back to the first page.
"""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.utils import pretty_name
from django.shortcuts import render

from crm.keyset import KeysetPage, query_without_cursor

FIX_THE_FILTERS = "No rows are shown until the filters are fixed."


class FilterBoundField(BoundField):
    """A filter whose bar shows no visible label names its control for screen readers.

    The name is read when the control is drawn, from the label it has then: a label set or a
    field added after the form was built is named all the same, a hidden control (the page
    cursor) gets no name, and a field without a label is named after the field, so no control
    is ever announced as "None" or as nothing."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if (
            not self.form.visible_labels
            and not widget.is_hidden
            and not attrs.get("aria-label")
            and not widget.attrs.get("aria-label")
        ):
            attrs["aria-label"] = str(self.label or pretty_name(self.name))
        return attrs


class FilterForm(forms.Form):
    """A list's filter bar. A bar whose fields show no visible label (``visible_labels =
    False``, the compact bar most lists have) gives each label to screen readers instead;
    a bar with ``visible_labels = True`` draws a ``<label>`` for each field in its template."""

    visible_labels = False
    bound_field_class = FilterBoundField


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
