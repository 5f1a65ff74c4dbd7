"""Celery adapters: send one lifecycle message; every minute, send those whose time came."""

from celery import shared_task

from . import services


@shared_task(bind=True, max_retries=8)
def outbound_message_send(self, message_id: int) -> str:
    try:
        return services.outbound_message_send(message_id=message_id)
    except OSError as error:  # the mail server is away: the claim is given back, tried later
        pause = services.outbound_message_send_failed(message_id=message_id, error=error)
        raise self.retry(exc=error, countdown=pause.total_seconds()) from error


@shared_task
def outbound_messages_sweep() -> int:
    return services.outbound_messages_sweep()
