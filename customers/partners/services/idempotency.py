"""One answer per ``Idempotency-Key``: a create retried with the same key is answered again
from its first answer, and does its work once.

Two tries of one key at the same moment are settled by the unique constraint: the second
waits for the first's transaction and then reads its answer (or, if the first failed, does
the work itself). The rows go after ``CRM_IDEMPOTENCY_HOURS``, and the key with them.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.partners.models import IdempotentRequest

KEY_REFUSED = (
    "Idempotency-Key: give 1 to 255 visible ASCII characters (a UUID is a good key), or leave "
    "the header out."
)
KEY_REUSED = (
    "Idempotency-Key: this key was used for a different request. Use a new key for a new "
    "request, and the same key only to send the same request again."
)


class KeyReused(Exception):
    """The key came with a different request than the first time."""


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict
    location: str = ""
    replayed: bool = False


def idempotency_key_checked(key: str) -> str:
    if not 1 <= len(key) <= 255 or not all(" " < character <= "~" for character in key):
        raise ValidationError(KEY_REFUSED, code="invalid_key")
    return key


def request_fingerprint(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def answered_once(
    *, caller: str, key: str, operation: str, fingerprint: str, work: Callable[[], Answer]
) -> Answer:
    """``work()``'s answer, or the answer the first request with this key got. Raises
    KeyReused for the same key on a different request; ``key`` is a checked one."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotentRequest.objects.create(
                    caller=caller, key=key, operation=operation, fingerprint=fingerprint
                )
        except IntegrityError:
            return _earlier_answer(caller, key, operation, fingerprint)
        answer = work()
        record.status_code = answer.status_code
        record.body = answer.body
        record.location = answer.location
        record.save(update_fields=["status_code", "body", "location"])
        return answer


def _earlier_answer(caller: str, key: str, operation: str, fingerprint: str) -> Answer:
    earlier = IdempotentRequest.objects.get(caller=caller, key=key)
    if (earlier.operation, earlier.fingerprint) != (operation, fingerprint):
        raise KeyReused(KEY_REUSED)
    return Answer(earlier.status_code, earlier.body, earlier.location, replayed=True)


def idempotency_keys_forget() -> int:
    """Remove the answers older than ``CRM_IDEMPOTENCY_HOURS``; how many went."""
    before = timezone.now() - timedelta(hours=settings.CRM_IDEMPOTENCY_HOURS)
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=before).delete()
    return deleted
