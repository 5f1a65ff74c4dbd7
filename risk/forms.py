from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from crm.lists import PagedFilterForm
from customers.forms import churn_risk_filter_field
from customers.models import LatestScores

from .selectors import RETENTION_SORT_LABELS

User = get_user_model()


class RetentionFilterForm(PagedFilterForm):
    value_segment = forms.ChoiceField(
        required=False,
        choices=[("", "Any value"), *LatestScores.ValueSegment.choices],
        label="Value segment",
    )
    manager = forms.ModelChoiceField(
        required=False,
        queryset=User.objects.filter(is_active=True, is_staff=True).order_by("username"),
        empty_label="Any account manager",
        label="Account manager",
    )
    churn_at_least = churn_risk_filter_field()
    sort = forms.ChoiceField(
        required=False, label="Sort", choices=list(RETENTION_SORT_LABELS.items())
    )

    @staticmethod
    def selector_filters(cleaned: dict) -> dict:
        """Cleaned filters as ``selectors.retention_queryset`` takes them."""
        return {
            "value_segment": cleaned.get("value_segment", ""),
            "account_manager_id": cleaned["manager"].pk if cleaned.get("manager") else None,
            "churn_at_least": cleaned.get("churn_at_least"),
        }

    @staticmethod
    def sort_of(cleaned: dict) -> str:
        return cleaned.get("sort") or "value_at_risk"

    @classmethod
    def cleaned_or_error(cls, params) -> dict:
        """The cleaned filters of ``params``; ValidationError naming each broken filter, for
        the doors that take the list's filters without showing its form (export, bulk)."""
        form = cls(params)
        if not form.is_valid():
            raise ValidationError(
                [f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()]
            )
        return form.cleaned_data


class RunStartForm(forms.Form):
    """ "Score every customer now": the newest run the page showed travels with the click, so
    a second click is told about the run the first one started instead of starting another."""

    newest_run = forms.IntegerField(min_value=0, max_value=2**62, widget=forms.HiddenInput)
