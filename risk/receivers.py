"""Customer events that call for a rescore of that customer."""

from functools import partial

from django.conf import settings
from django.db import transaction

from . import services


def rescore_after_event(sender, *, customer, action, data, **kwargs) -> None:
    reason = services.rescore_reason(action, data)
    if not reason:
        return
    if services.customer_rescore_request(customer_id=customer.pk, reason=reason):
        from .tasks import customer_rescore

        transaction.on_commit(
            partial(
                customer_rescore.apply_async,
                (customer.pk,),
                countdown=settings.RISK_RESCORE_DELAY_SECONDS,
            ),
            # With the broker down the change still stands: the request row waits for the
            # watchdog, and the user's page does not fail.
            robust=True,
        )
