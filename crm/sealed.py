"""Short-lived secrets kept at rest encrypted, such as a new API token waiting in the session
for the one page that shows it.

Fernet (AES-128-CBC with an HMAC-SHA256 tag and a timestamp, from the cryptography package) under
a key derived from SECRET_KEY for each purpose: a sealed value read under another purpose, after
``max_age``, after the key was rotated, or tampered with, reads as nothing.
"""

from base64 import urlsafe_b64encode
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac


def _fernet(purpose: str) -> Fernet:
    key = salted_hmac("crm.sealed", purpose, algorithm="sha256").digest()
    return Fernet(urlsafe_b64encode(key))


def seal(text: str, *, purpose: str) -> str:
    return _fernet(purpose).encrypt(text.encode()).decode()


def unseal(sealed: str, *, purpose: str, max_age: timedelta) -> str | None:
    """The text sealed for ``purpose`` no longer than ``max_age`` ago, or None."""
    try:
        return _fernet(purpose).decrypt(sealed.encode(), ttl=int(max_age.total_seconds())).decode()
    except (InvalidToken, AttributeError, TypeError, ValueError):
        return None
