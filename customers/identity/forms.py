"""Forms of the identity app."""

from django import forms

from crm.lists import PagedFilterForm
from customers.identity.models import ImportJob
from customers.identity.selectors import IMPORT_SORT_LABELS


class MergeForm(forms.Form):
    """Which customer survives, and which conflicting values come from the other one.

    A merge cannot be undone, so it takes two steps: the choices are posted and shown back as
    what will happen, and only the confirmation page posts ``confirmed``.
    """

    survivor = forms.ChoiceField(widget=forms.RadioSelect, label="Keep")
    take_from_merged = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Take these values from the customer being merged away",
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, candidate, conflicts_by_survivor, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = candidate.customer_low, candidate.customer_high
        self.fields["survivor"].choices = [
            (str(c.pk), f"{c.number} {c.party.display_name} ({c.get_status_display().lower()})")
            for c in (low, high)
        ]
        self.fields["survivor"].initial = str(low.pk)
        labels = {
            c["field"]: c["label"]
            for conflicts in conflicts_by_survivor.values()
            for c in conflicts
        }
        self.fields["take_from_merged"].choices = list(labels.items())


class ImportForm(forms.Form):
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, label="What the file holds")
    file = forms.FileField(
        label="CSV file (UTF-8)",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    on_duplicate = forms.ChoiceField(
        choices=ImportJob.OnDuplicate.choices,
        initial=ImportJob.OnDuplicate.REFUSE,
        label="When a row matches an existing customer",
        widget=forms.RadioSelect,
    )


class ImportFilterForm(PagedFilterForm):
    """The import list's filter bar; the page and its export read the same fields."""

    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *ImportJob.Status.choices]
    )
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *ImportJob.Kind.choices])
    sort = forms.ChoiceField(required=False, choices=list(IMPORT_SORT_LABELS.items()))

    def __init__(self, *args, **kwargs):
        # The upload form shares the page and has a "kind" field too: ids must not collide.
        kwargs.setdefault("auto_id", "filter_%s")
        super().__init__(*args, **kwargs)

    @staticmethod
    def selector_filters(cleaned: dict) -> dict:
        return {
            "status": cleaned.get("status", ""),
            "kind": cleaned.get("kind", ""),
            "sort": cleaned.get("sort") or "newest",
        }
