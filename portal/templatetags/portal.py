"""The customer's words for stored values, and dates and amounts as their language writes
them. Every tag reads ``words`` and ``language`` from the page's context."""

from babel.dates import format_date
from django import template

from crm.formatting import money
from portal import texts

register = template.Library()


@register.simple_tag(takes_context=True)
def word(context, group: str, value) -> str:
    """``{% word "kind" interaction.kind %}``: the label of a stored value."""
    return texts.label(context["words"], group, str(value))


@register.simple_tag(takes_context=True)
def day(context, value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date"):
        from django.utils import timezone

        value = timezone.localtime(value).date()
    return format_date(value, format="medium", locale=context["language"])


@register.simple_tag(takes_context=True)
def amount(context, value, currency) -> str:
    return money(value, currency, locale=context["language"])


@register.simple_tag(takes_context=True)
def phrase(context, key: str, **values) -> str:
    """``{% phrase "contract_months" months=12 %}``: a sentence of the page's words, filled in."""
    return context["words"][key].format(**values)


@register.simple_tag(takes_context=True)
def phrase_consent(context, row) -> str:
    """ "Marketing by SMS": what one consent row is about, in the page's words."""
    words = context["words"]
    return words["consent_for"].format(
        purpose=texts.label(words, "purpose", row.purpose),
        channel=texts.label(words, "channel", row.channel),
    )
