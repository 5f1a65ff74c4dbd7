"""The portal's forms; their messages come in the page's language (``words``)."""

import re

from django import forms

from customers.models import CommunicationPreferences, Consent
from portal import texts
from portal.self_service import RAISABLE_KINDS, SUMMARY_MAX
from portal.services import CODE_DIGITS, AddressInvalid, PortalAddress, portal_address_parse

_CODE = re.compile(rf"\d{{{CODE_DIGITS}}}")


class AddressForm(forms.Form):
    address = forms.CharField(max_length=320)

    def __init__(self, *args, words: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.words = words
        self.fields["address"].error_messages = {
            "required": words["address_invalid"],
            "max_length": words["address_invalid"],
        }

    def clean_address(self) -> PortalAddress:
        try:
            return portal_address_parse(self.cleaned_data["address"])
        except AddressInvalid:
            raise forms.ValidationError(self.words["address_invalid"]) from None


class CodeForm(forms.Form):
    code = forms.CharField(max_length=20, strip=True)

    def __init__(self, *args, words: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.words = words
        self.fields["code"].error_messages = {
            "required": words["code_invalid"],
            "max_length": words["code_invalid"],
        }

    def clean_code(self) -> str:
        # "123 456" and "123-456" are read as typed from the message.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not _CODE.fullmatch(code):
            raise forms.ValidationError(self.words["code_invalid"])
        return code


class _WordsForm(forms.Form):
    """A form whose every field says what is wrong in the page's words."""

    def __init__(self, *args, words: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.words = words
        for field in self.fields.values():
            field.error_messages = {
                "required": words["field_required"],
                "invalid": words["field_invalid"],
                "invalid_choice": words["field_invalid"],
                "max_length": words["field_too_long"],
            }


def _choices(values) -> list[tuple[str, str]]:
    return [(value, value) for value in values]


class PreferencesForm(_WordsForm):
    language = forms.ChoiceField(choices=_choices(texts.LANGUAGES))
    preferred_channel = forms.ChoiceField(choices=_choices(Consent.Channel.values))
    contact_time_from = forms.TimeField(required=False)
    contact_time_to = forms.TimeField(required=False)
    contact_on_weekends = forms.BooleanField(required=False)
    statement_format = forms.ChoiceField(
        choices=_choices(CommunicationPreferences.StatementFormat.values)
    )
    statement_frequency = forms.ChoiceField(
        choices=_choices(CommunicationPreferences.StatementFrequency.values)
    )
    itemised_statement = forms.BooleanField(required=False)


class ConsentForm(_WordsForm):
    channel = forms.ChoiceField(choices=_choices(Consent.Channel.values))
    purpose = forms.ChoiceField(choices=_choices(Consent.Purpose.values))
    granted = forms.ChoiceField(choices=_choices(("yes", "no")))


class InquiryForm(_WordsForm):
    kind = forms.ChoiceField(choices=_choices(RAISABLE_KINDS))
    summary = forms.CharField(max_length=SUMMARY_MAX)


class ErasureForm(_WordsForm):
    reason = forms.CharField(max_length=300)
