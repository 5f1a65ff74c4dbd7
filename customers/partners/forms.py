"""Forms of the partners app."""

import datetime

from django import forms

from crm.lists import PagedFilterForm
from customers.models import Partner
from customers.partners.models import ApiToken, HubDelivery
from customers.partners.selectors import PARTNER_SORT_LABELS


class PartnerFilterForm(PagedFilterForm):
    """The partner list's filter bar; the page and its export read the same fields."""

    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Partner name", "autofocus": True}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Partner.Status.choices]
    )
    sort = forms.ChoiceField(required=False, choices=list(PARTNER_SORT_LABELS.items()))

    @staticmethod
    def selector_filters(cleaned: dict) -> dict:
        return {
            "q": cleaned.get("q", ""),
            "status": cleaned.get("status", ""),
            "sort": cleaned.get("sort") or "newest",
        }


class PartnerForm(forms.Form):
    """A partner's application, as staff record it, and later edits of it."""

    name = forms.CharField(max_length=200)
    registration_number = forms.CharField(required=False, max_length=40)
    contact_name = forms.CharField(required=False, max_length=200)
    contact_email = forms.EmailField(required=False, label="Contact e-mail")
    website = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    rate_limit_per_minute = forms.IntegerField(
        min_value=1,
        initial=Partner._meta.get_field("rate_limit_per_minute").default,
        label="Rate limit (requests per minute)",
        help_text=Partner._meta.get_field("rate_limit_per_minute").help_text,
    )

    @classmethod
    def initial_from(cls, partner: Partner) -> dict:
        return {name: getattr(partner, name) for name in cls.base_fields}


class PartnerTransitionForm(forms.Form):
    reason = forms.CharField(
        required=False,
        max_length=Partner._meta.get_field("status_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The partner may be told this reason.",
    )

    def __init__(self, *args, reason_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class TokenIssueForm(forms.Form):
    name = forms.CharField(
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=ApiToken._meta.get_field("name").help_text,
    )
    scopes = forms.MultipleChoiceField(
        choices=ApiToken.Scope.choices,
        initial=[ApiToken.Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text="Only “Read customers” makes a read-only token.",
    )


ROTATION_GRACE = {
    "none": datetime.timedelta(0),
    "1h": datetime.timedelta(hours=1),
    "24h": datetime.timedelta(hours=24),
    "7d": datetime.timedelta(days=7),
}


class TokenRotateForm(forms.Form):
    grace = forms.TypedChoiceField(
        choices=[
            ("none", "None: the old token stops now"),
            ("1h", "1 hour"),
            ("24h", "24 hours"),
            ("7d", "7 days"),
        ],
        coerce=ROTATION_GRACE.__getitem__,
        initial="24h",
        widget=forms.RadioSelect,
        label="How long the old token keeps working",
    )


class DeliveryFilterForm(PagedFilterForm):
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *HubDelivery.Status.choices]
    )
    partner = forms.ModelChoiceField(
        required=False, queryset=Partner.objects.order_by("name"), empty_label="Any partner"
    )


class PartnerApplicationForm(forms.Form):
    """What an organisation sends to apply as a partner, on the public page."""

    name = forms.CharField(max_length=200, label="Organisation name")
    registration_number = forms.CharField(required=False, max_length=40)
    contact_name = forms.CharField(max_length=200, label="Your name")
    contact_email = forms.EmailField(label="Your e-mail")
    website = forms.URLField(required=False, assume_scheme="https")
    notes = forms.CharField(
        required=False,
        max_length=2000,
        label="About your business",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you sell, to whom, and how many customers you expect.",
    )
    # Left empty by people; form-filling robots fill every field they find.
    company_fax = forms.CharField(required=False, label="Leave this empty")

    def clean_company_fax(self):
        if self.cleaned_data["company_fax"]:
            raise forms.ValidationError("Leave this field empty.")
        return ""
