"""The placeholders managers may put in a message: ``str.format`` named fields from an
allow-list, nothing else. No attribute or index access (``{name.__class__}``), no conversions
and no format specs (``{name:>99999999}``): a template can only say where a value goes, so an
edited text can neither reach into Python objects nor make a huge message.
"""

from string import Formatter

from django.core.exceptions import ValidationError

from .models import Event

COMMON = {
    "name": "the customer's name",
    "number": "the customer number",
    "date": "the day of the change",
}
PLACEHOLDERS: dict[str, dict[str, str]] = {
    Event.WELCOME: COMMON,
    Event.SUSPENSION: COMMON,
    Event.TERMINATION: {
        **COMMON,
        "invoice": "the number of the last invoice (the final bill)",
        "amount": "the amount still owed on the account",
    },
    Event.WELCOME_BACK: COMMON,
    Event.CONTACT_CHANGE: {**COMMON, "contact": "the contact detail added, changed or removed"},
    Event.STATEMENT: {
        "name": COMMON["name"],
        "number": COMMON["number"],
        "date": "the day the statement was written",
        "period": "the period the statement covers",
        "amount": "the closing balance (what the customer owes, negative for a credit)",
    },
    Event.PAYMENT_OVERDUE: {
        "name": COMMON["name"],
        "number": COMMON["number"],
        "date": "the due date that was missed (the earliest, when several invoices are overdue)",
        "invoice": "the number of the overdue invoice (several, separated by commas)",
        "amount": "the amount still open on the overdue invoices",
    },
}


def placeholders_check(text: str, *, event: str) -> None:
    """Refuse a text with a placeholder the event does not offer, or a malformed one."""
    allowed = PLACEHOLDERS[event]
    try:
        parts = list(Formatter().parse(text))
    except ValueError as error:  # a lone "{" or "}"
        raise ValidationError(
            f"The text has an unmatched brace ({error}). Write {{{{ or }}}} for a brace itself."
        ) from None
    unknown = []
    for _literal, field_name, format_spec, conversion in parts:
        if field_name is None:
            continue
        if field_name not in allowed or format_spec or conversion:
            spec = f":{format_spec}" if format_spec else ""
            conv = f"!{conversion}" if conversion else ""
            unknown.append("{" + field_name + conv + spec + "}")
    if unknown:
        offered = ", ".join("{" + name + "}" for name in allowed)
        raise ValidationError(
            f"Unknown placeholder {', '.join(unknown)}. This message can use: {offered}.",
            code="unknown_placeholder",
        )


def text_render(text: str, values: dict[str, str]) -> str:
    """The text with its placeholders filled in; checked texts only."""
    return text.format_map(values)
