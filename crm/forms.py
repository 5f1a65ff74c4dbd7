"""Model forms whose rules are the services' own.

A rule that the database also enforces with a constraint would otherwise be checked twice by a
model form: first by Django, which can only say "Constraint “…” is violated.", and then by the
service. A ``ServiceCheckedForm`` asks the service while it validates, so the person reads the
service's words on the field concerned, and the constraint behind it is not checked again for
that field (Django skips constraints over fields that already have an error).
"""

from django import forms
from django.core.exceptions import ValidationError


def errors_onto_form(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the fields it names, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class ServiceCheckedForm(forms.ModelForm):
    # The fields the service's rule reads. It is asked once each of them was read, whatever
    # else is wrong on the form: otherwise Django would check the constraint over them itself.
    service_checked_fields: tuple[str, ...] = ()

    def service_check(self, data: dict) -> None:
        """Raise the service's ValidationError for the cleaned ``data``; subclasses say which."""

    def clean(self):
        data = super().clean()
        if not any(self.has_error(name) for name in self.service_checked_fields):
            try:
                self.service_check(data)
            except ValidationError as error:
                errors_onto_form(self, error)
        return data
