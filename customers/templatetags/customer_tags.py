import re

import phonenumbers
from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from crm.formatting import money as format_money
from customers.labels import reason_label

register = template.Library()


@register.filter
def code_label(value: str) -> str:
    """A stored reason code as people read it: 'voluntary_churn' -> 'Voluntary churn', by its
    label where a lifecycle transition gives it one."""
    return reason_label(value or "")


@register.filter
def phone_display(value: str) -> str:
    """'+447911123456' -> '+44 7911 123456'; anything unparsable is shown as stored."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@register.filter
def money(amount, currency: str = "") -> str:
    """``{{ invoice.amount|money:customer.currency }}`` -> '€1,136,686.65' in the staff locale."""
    return format_money(amount, currency or None)


@register.filter
def email_display(value: str) -> str:
    """An e-mail address that may break before its "@" and its dots, never inside a word: a
    narrow column wraps it into readable parts instead of widening the page."""
    parts = re.split(r"(?=[@.])", value or "")
    return format_html_join(mark_safe("<wbr>"), "{}", ((part,) for part in parts))
