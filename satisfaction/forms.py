"""Staff forms for survey definitions and follow-ups; the services decide what is allowed."""

from django import forms

from customers.forms import StaffChoiceField
from customers.models import Interaction

from . import texts
from .models import FollowUp, Survey

LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish"}
_TOUCH_POINT_KINDS = [
    (value, label) for value, label in Interaction.Kind.choices if value != Interaction.Kind.SURVEY
]


class SurveyForm(forms.Form):
    """The settings of a survey and its wording in each language (a blank language is left
    out). Changing the wording makes a new version; answers keep the version they were given to."""

    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=Survey.Kind.choices, label="Scale")
    trigger = forms.ChoiceField(choices=Survey.Trigger.choices, label="Sent")
    interaction_kinds = forms.MultipleChoiceField(
        choices=_TOUCH_POINT_KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="After closing these interaction types",
        help_text="For surveys sent after an interaction closes.",
    )
    period_days = forms.IntegerField(
        min_value=30, max_value=730, initial=180, label="Days between periodic surveys"
    )
    expires_after_days = forms.IntegerField(
        min_value=1, max_value=90, initial=14, label="Link expires after (days)"
    )
    remind_after_days = forms.IntegerField(
        min_value=1, max_value=60, initial=5, label="Remind once after (days)"
    )
    follow_up_days = forms.IntegerField(
        min_value=0, max_value=30, initial=3, label="Follow-up due after (days)"
    )
    is_active = forms.BooleanField(required=False, initial=True, label="Active")

    def __init__(self, *args, survey: Survey | None = None, wording: dict | None = None, **kw):
        super().__init__(*args, **kw)
        self.survey = survey
        if survey is not None:
            self.fields["kind"].disabled = True  # old answers are on its scale
            self.fields["kind"].help_text = "The scale of a survey with answers cannot change."
        for language, name in LANGUAGE_NAMES.items():
            self.fields[f"question_{language}"] = forms.CharField(
                required=language == "en",
                max_length=300,
                label=f"Question ({name})",
                widget=forms.TextInput(attrs={"class": "wide"}),
            )
            self.fields[f"comment_{language}"] = forms.CharField(
                required=False,
                max_length=300,
                label=f"Comment prompt ({name})",
                widget=forms.TextInput(attrs={"class": "wide"}),
            )
            self.fields[f"follow_ups_{language}"] = forms.CharField(
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                label=f"Further questions ({name}), one per line",
            )
        if wording is not None and not self.is_bound:
            for language, entry in wording.items():
                if language in LANGUAGE_NAMES:
                    self.initial[f"question_{language}"] = entry["question"]
                    self.initial[f"comment_{language}"] = entry.get("comment", "")
                    self.initial[f"follow_ups_{language}"] = "\n".join(entry.get("follow_ups", []))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("trigger") == Survey.Trigger.TOUCH_POINT and not cleaned.get(
            "interaction_kinds"
        ):
            self.add_error("interaction_kinds", "Choose the interaction types after which to ask.")
        return cleaned

    def settings(self) -> dict:
        data = self.cleaned_data
        fields = (
            "name",
            "trigger",
            "interaction_kinds",
            "period_days",
            "expires_after_days",
            "remind_after_days",
            "follow_up_days",
            "is_active",
        )
        return {field: data[field] for field in fields}

    def wording(self) -> dict:
        data = self.cleaned_data
        return {
            language: {
                "question": data[f"question_{language}"],
                "comment": data[f"comment_{language}"],
                "follow_ups": [
                    line.strip()
                    for line in data[f"follow_ups_{language}"].splitlines()
                    if line.strip()
                ],
            }
            for language in LANGUAGE_NAMES
            if data.get(f"question_{language}")
        }

    @staticmethod
    def initial_wording(kind: str) -> dict:
        return texts.default_texts(kind)


class FollowUpCloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=FollowUp.Outcome.choices, widget=forms.RadioSelect)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpFilterForm(forms.Form):
    show = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[
            ("mine", "Mine, open"),
            ("unassigned", "Unassigned, open"),
            ("overdue", "All overdue"),
            ("open", "All open"),
            ("done", "Done recently"),
        ],
    )


class FollowUpAssignForm(forms.Form):
    assignee = StaffChoiceField(queryset=None, label="Assign to", empty_label="Choose a colleague")

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
