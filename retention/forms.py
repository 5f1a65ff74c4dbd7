from django import forms

from crm.lists import PagedFilterForm

from .models import Campaign, CampaignMember
from .selectors import CAMPAIGN_SORT_LABELS
from .services.campaigns import CONTROL_SHARE_MAX, CONTROL_SHARE_MIN, WINDOW_MONTHS_MAX


class CampaignForm(forms.Form):
    """What a campaign is: its name, the action, the offer and how it is measured."""

    name = forms.CharField(max_length=200)
    action = forms.ChoiceField(choices=Campaign.Action.choices)
    offer = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the treated customers are offered or told.",
    )
    control_share = forms.IntegerField(
        min_value=CONTROL_SHARE_MIN,
        max_value=CONTROL_SHARE_MAX,
        initial=20,
        label="Control group (%)",
        help_text=(
            f"Held out at random and not contacted, {CONTROL_SHARE_MIN} to {CONTROL_SHARE_MAX} %: "
            "the bigger it is, the narrower the uplift's interval."
        ),
    )
    window_months = forms.IntegerField(
        min_value=1,
        max_value=WINDOW_MONTHS_MAX,
        initial=3,
        label="Measured over (months)",
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=CampaignMember.Outcome.choices)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    at = forms.DateTimeField(
        required=False,
        label="When",
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CampaignFilterForm(PagedFilterForm):
    """The campaign list's filter bar; the page and its export read the same fields."""

    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.SearchInput(attrs={"placeholder": "Campaign name"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Campaign.Status.choices]
    )
    sort = forms.ChoiceField(required=False, choices=list(CAMPAIGN_SORT_LABELS.items()))

    @staticmethod
    def selector_filters(cleaned: dict) -> dict:
        return {
            "q": cleaned.get("q", ""),
            "status": cleaned.get("status", ""),
            "sort": cleaned.get("sort") or "newest",
        }


class MemberFilterForm(PagedFilterForm):
    group = forms.ChoiceField(
        required=False, choices=[("", "Both groups"), *CampaignMember.Group.choices]
    )
    outcome = forms.ChoiceField(
        required=False,
        choices=[("", "Any outcome"), ("none", "No outcome yet"), *CampaignMember.Outcome.choices],
    )
