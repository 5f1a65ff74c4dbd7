"""Customer events other apps react to, without this app importing them.

``customer_event`` is sent for every change recorded in the action log, inside the transaction
that made it: a receiver that writes rows (an outbox, a rescore request) commits or rolls back
with the change itself, and one that starts background work defers it with
``transaction.on_commit``.

Receivers get ``customer`` (the Customer), ``action`` (e.g. ``"payment.recorded"``) and
``data`` (the action log's details). Bulk jobs (imports, the stale-lead sweep) write their log
rows in bulk and send no events; the daily missed-payment job writes its rows in bulk too but
sends ``payment.missed`` once per customer, inside the batch's transaction, because a missed
payment changes the customer's risk.
"""

from django.dispatch import Signal

customer_event = Signal()
