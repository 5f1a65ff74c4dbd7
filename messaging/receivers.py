"""Customer events that call for a lifecycle message."""

from . import services


def lifecycle_messages_after_event(sender, *, events, **kwargs) -> None:
    """Write the batch's messages to the outbox, in the transaction of the change."""
    services.messages_for_events(events)
