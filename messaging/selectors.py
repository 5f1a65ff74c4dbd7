"""Reads: the wording of each event's message, edited or default."""

from dataclasses import dataclass

from .defaults import DEFAULT_TEXTS
from .models import Event, Language, MessageTemplate, OutboundMessage


@dataclass(frozen=True)
class TemplateText:
    event: str
    language: str
    subject: str
    body: str
    edited: MessageTemplate | None  # None: the default wording


def template_texts(events) -> dict[tuple[str, str], TemplateText]:
    """Every language's wording of ``events`` in one query: a manager's where one exists,
    else the default."""
    events = list(events)
    texts = {
        (event, language): TemplateText(event, language, *DEFAULT_TEXTS[event][language], None)
        for event in events
        for language in Language.values
    }
    for row in MessageTemplate.objects.filter(event__in=events).select_related("updated_by"):
        texts[(row.event, row.language)] = TemplateText(
            row.event, row.language, row.subject, row.body, row
        )
    return texts


def template_overview() -> list[tuple[str, str, list[tuple[str, TemplateText]]]]:
    """(event, label, [(language label, its wording)]) for the template list."""
    texts = template_texts(Event.values)
    return [
        (event, label, [(name, texts[(event, code)]) for code, name in Language.choices])
        for event, label in Event.choices
    ]


PANEL_MESSAGES = 8


def customer_messages(customer) -> dict:
    """The messages panel on the customer page: the latest messages sent to the customer or
    waiting to go, in one query (what they said is on the timeline, not read here)."""
    return {
        "messages": list(
            OutboundMessage.objects.filter(customer=customer)
            .only("event", "channel", "status", "created_at", "due_at", "sent_at", "customer_id")
            .order_by("-created_at", "-pk")[:PANEL_MESSAGES]
        ),
        "shown": PANEL_MESSAGES,
    }
