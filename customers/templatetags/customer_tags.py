import phonenumbers
from django import template

register = template.Library()


@register.filter
def code_label(value: str) -> str:
    """'voluntary_churn' -> 'voluntary churn' for reason codes shown to people."""
    return (value or "").replace("_", " ")


@register.filter
def phone_display(value: str) -> str:
    """'+447911123456' -> '+44 7911 123456'; anything unparsable is shown as stored."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
