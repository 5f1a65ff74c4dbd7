"""Secrets kept at rest only encrypted, with Fernet (AES-128-CBC with an HMAC-SHA256 tag and a
timestamp, from the cryptography package).

Short-lived ones, such as a new API token waiting in the session for the one page that shows it,
are sealed under a key derived from SECRET_KEY for each purpose: a sealed value read under
another purpose, after ``max_age``, after the key was rotated, or tampered with, reads as nothing.

Lasting ones, such as the secret that signs a partner's event deliveries, are encrypted under
the keys in CRM_SECRETS_KEY (``EncryptedTextField``): a copy of the database or of its backups
alone gives them away no more than the session table gives a new token away. The first key
encrypts and every key decrypts, so keys are rotated by putting a new one first.
"""

import hashlib
from base64 import urlsafe_b64encode
from datetime import timedelta
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import checks
from django.db import models
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


# --- Lasting secrets --------------------------------------------------------------------------

# Without CRM_SECRETS_KEY (development and tests) a fixed key, so that a development database
# keeps reading its secrets; it is public, which is why production refuses to start without one.
DEVELOPMENT_KEY = urlsafe_b64encode(hashlib.sha256(b"crm development secrets key").digest())


class SecretUnreadable(ValueError):
    """A stored secret no key in CRM_SECRETS_KEY decrypts: the key it needs was removed."""


@cache
def _keys(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys or (DEVELOPMENT_KEY,)])


def encrypt(text: str) -> str:
    return _keys(tuple(settings.CRM_SECRETS_KEY)).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _keys(tuple(settings.CRM_SECRETS_KEY)).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored secret cannot be decrypted with the keys in CRM_SECRETS_KEY: put the key "
            "it was encrypted with back in the list, after the new one."
        ) from None


class EncryptedTextField(models.TextField):
    """Text the database holds encrypted under CRM_SECRETS_KEY; Python sees it in clear.

    An empty value is stored empty. Encryption is randomised, so such a field cannot be
    filtered on.
    """

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value


@checks.register(checks.Tags.security)
def secrets_key_check(app_configs, **kwargs):
    if settings.CRM_SECRETS_KEY or not settings.DEBUG:
        return []
    return [
        checks.Warning(
            "CRM_SECRETS_KEY is not set: partner secrets are encrypted under a fixed development "
            "key that anyone can read. Fine for development; production refuses to start "
            "without the variable.",
            hint='Generate one with python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"',
            id="crm.W001",
        )
    ]
