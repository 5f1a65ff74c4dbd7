from django import template

register = template.Library()


@register.filter
def code_label(value: str) -> str:
    """'voluntary_churn' -> 'voluntary churn' for reason codes shown to people."""
    return (value or "").replace("_", " ")
