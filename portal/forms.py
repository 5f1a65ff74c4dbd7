"""The portal's two forms; their messages come in the page's language (``words``)."""

import re

from django import forms

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
