from django import forms
from django.contrib.auth import get_user_model

from customers.forms import churn_risk_filter_field
from customers.models import LatestScores

User = get_user_model()


class RetentionFilterForm(forms.Form):
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
    after = forms.CharField(required=False, widget=forms.HiddenInput)
    before = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("aria-label", field.label)


class RunStartForm(forms.Form):
    """ "Score every customer now": the newest run the page showed travels with the click, so
    a second click is told about the run the first one started instead of starting another."""

    newest_run = forms.IntegerField(min_value=0, max_value=2**62, widget=forms.HiddenInput)
