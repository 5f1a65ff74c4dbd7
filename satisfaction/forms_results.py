"""The filters of the results pages, read from the query string. They check the shape of the
input; a bad value becomes a form error on the page, never a server error."""

import re
from datetime import date

from django import forms

from crm.lists import FilterForm, PagedFilterForm
from customers.models import Customer

from .models import Invitation, Sentiment, Survey
from .results import (
    ANSWER_SORT_LABELS,
    KIND_NAMES,
    TOUCH_POINTS,
    ResultFilters,
    default_period,
)

# Long enough for any trend worth a chart, short enough for the chart to stay readable.
MAX_MONTHS = 120
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EARLIEST, _LATEST = date(1970, 1, 1), date(2999, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"


class ResultsFilterForm(FilterForm):
    survey = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        required=False,
        label="Kind",
        choices=[("", "Every kind"), *[(k, f"{name} only") for k, name in KIND_NAMES.items()]],
    )
    date_from = forms.DateField(required=False, label="From", widget=DateInput)
    date_to = forms.DateField(required=False, label="To", widget=DateInput)
    segment = forms.ChoiceField(
        required=False, choices=[("", "Any segment"), *Customer.Segment.choices]
    )
    channel = forms.ChoiceField(
        required=False, choices=[("", "Any channel"), *Invitation.Channel.choices]
    )
    touch_point = forms.ChoiceField(
        required=False, label="Touch point", choices=[("", "Any touch point"), *TOUCH_POINTS]
    )

    def __init__(self, data, *, surveys: list[Survey], today: date, **kwargs):
        """``data`` is the query string; the period defaults to the last twelve months."""
        data = data.copy()
        date_from, date_to = default_period(today)
        if not data.get("date_from"):
            data["date_from"] = date_from.isoformat()
        if not data.get("date_to"):
            data["date_to"] = date_to.isoformat()
        super().__init__(data, **kwargs)
        self.surveys = {s.pk: s for s in surveys}
        self.fields["survey"].choices = [
            ("", "Every survey"),
            *[(s.pk, f"{s.name} ({KIND_NAMES[s.kind]})") for s in surveys],
        ]

    def clean(self):
        data = super().clean()
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day and not _EARLIEST <= day <= _LATEST:
                self.add_error(name, f"Choose a day between {_EARLIEST} and {_LATEST}.")
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to:
            if date_from > date_to:
                self.add_error("date_to", "The end of the period is before its start.")
            elif (date_to.year - date_from.year) * 12 + date_to.month - date_from.month >= (
                MAX_MONTHS
            ):
                self.add_error("date_from", f"Choose a period of at most {MAX_MONTHS} months.")
        survey = self.surveys.get(data.get("survey"))
        kind = data.get("kind")
        if survey and kind and survey.kind != kind:
            self.add_error(
                "kind",
                f"«{survey.name}» is an {KIND_NAMES[survey.kind]} survey, not {KIND_NAMES[kind]}.",
            )
        return data

    def filters(self) -> ResultFilters:
        data = self.cleaned_data
        survey = self.surveys.get(data["survey"])
        return ResultFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            survey=survey,
            kind=survey.kind if survey else data["kind"],
            segment=data["segment"],
            channel=data["channel"],
            touch_point=data["touch_point"],
            sentiment=data.get("sentiment", ""),
        )


class ResponsesFilterForm(ResultsFilterForm, PagedFilterForm):
    """The same filters, plus the sentiment, a month within the period, the sort and the page
    cursors."""

    sentiment = forms.ChoiceField(
        required=False, choices=[("", "Any sentiment"), *Sentiment.choices]
    )
    sort = forms.ChoiceField(required=False, label="Sort", choices=list(ANSWER_SORT_LABELS.items()))
    month = forms.CharField(
        required=False, max_length=7, widget=forms.HiddenInput, help_text="YYYY-MM"
    )

    def clean_month(self) -> date | None:
        value = self.cleaned_data["month"].strip()
        if not value:
            return None
        match = _MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError("A month is written YYYY-MM, like 2026-03.")
        month = date(int(match.group(1)), int(match.group(2)), 1)
        if not _EARLIEST <= month <= _LATEST:
            raise forms.ValidationError(
                f"Choose a month between {_EARLIEST:%Y-%m} and {_LATEST:%Y-%m}."
            )
        return month

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "newest"
