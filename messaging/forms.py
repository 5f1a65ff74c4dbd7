from django import forms

from .placeholders import PLACEHOLDERS


class MessageTemplateForm(forms.Form):
    subject = forms.CharField(label="Subject", max_length=200)
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args, event: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The placeholders this event offers are listed beside the form.
        self.event_placeholders = PLACEHOLDERS[event]
        self.fields["body"].help_text = "Write {{ or }} for a brace itself."
        self.fields["subject"].help_text = "The same placeholders as the message."
