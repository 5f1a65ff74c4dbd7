from django import forms

from crm.lists import PagedFilterForm

from .models import AccessLogEntry, ErasureRequest, LegalHold


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        max_length=ErasureRequest._meta.get_field("reason").max_length,
        label="How and when the person asked",
        help_text="E.g. “Letter of 3 December, reference 2026/118”. Nothing else about them.",
    )


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve and erase"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        label="Decision",
    )
    refusal = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Why it is refused"
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "refuse" and not cleaned.get("refusal", "").strip():
            self.add_error("refusal", "Say why the request is refused.")
        return cleaned


class LegalHoldForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=LegalHold._meta.get_field("reason").max_length
    )
    lift = forms.BooleanField(required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("lift") and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Say why the data must be kept.")
        return cleaned


class AccessLogFilterForm(PagedFilterForm):
    """The filter bar of a customer's access log."""

    what = forms.ChoiceField(
        required=False,
        label="What",
        choices=[("", "Every access"), *AccessLogEntry.What.choices],
    )


class RetentionRuleForm(forms.Form):
    days = forms.IntegerField(min_value=30, max_value=36500, label="Days kept")
    enabled = forms.BooleanField(required=False, label="Applied")

    def __init__(self, *args, rule=None, **kwargs):
        if rule is not None:
            kwargs.setdefault("initial", {"days": rule.days, "enabled": rule.enabled})
        super().__init__(*args, **kwargs)
