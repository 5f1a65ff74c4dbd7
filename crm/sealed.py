"""Secrets kept at rest only encrypted, with Fernet (AES-128-CBC with an HMAC-SHA256 tag and a
timestamp, from the cryptography package).

Short-lived ones, such as a new API token waiting in the session for the one page that shows it,
are sealed under a key derived from SECRET_KEY for each purpose: a sealed value read under
another purpose, after ``max_age``, after the key was rotated, or tampered with, reads as nothing.

Lasting ones, such as the secret that signs a partner's event deliveries, a person's national
id or birth date, are encrypted under the keys in CRM_SECRETS_KEY (``EncryptedTextField``,
``EncryptedDateField``): a copy of the database or of its backups alone gives them away no more
than the session table gives a new token away. The first key encrypts and every key decrypts,
so keys are rotated by putting a new one first (``manage.py secrets_rotate`` then re-encrypts
what the old one holds, and the old key can go).

Encryption is randomised, so an encrypted column cannot be searched. What must be found by
value (a national id, the blocking keys duplicate detection joins on) is found through a keyed
hash instead (``lookup_digest``, under CRM_LOOKUP_KEY): equal values give equal digests, and
without the key a digest tells nothing, not even for a short value such as a birth date.
"""

import hashlib
import hmac
from base64 import urlsafe_b64encode
from collections.abc import Iterable
from contextlib import nullcontext
from datetime import date, timedelta
from functools import cache

import pgtrigger
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import connection, models, transaction
from django.db.models.query_utils import DeferredAttribute
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
def _keys(keys: tuple[str, ...]) -> MultiFernet | Fernet:
    keys = keys or (DEVELOPMENT_KEY,)
    if len(keys) == 1:
        # One key: Fernet itself, twice as fast to decrypt as a MultiFernet of one.
        return Fernet(keys[0])
    return MultiFernet([Fernet(key) for key in keys])


def reencrypt(token: str) -> str:
    """``token`` encrypted again under the first key (MultiFernet.rotate); SecretUnreadable
    when no key decrypts it."""
    keys = tuple(settings.CRM_SECRETS_KEY) or (DEVELOPMENT_KEY,)
    try:
        return MultiFernet([Fernet(key) for key in keys]).rotate(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored value cannot be decrypted with the keys in CRM_SECRETS_KEY."
        ) from None


def encrypt(text: str) -> str:
    return _keys(tuple(settings.CRM_SECRETS_KEY)).encrypt(text.encode()).decode()


_NO_KEY_DECRYPTS = (
    "A stored secret cannot be decrypted with the keys in CRM_SECRETS_KEY: put the key it was "
    "encrypted with back in the list, after the new one."
)


def decrypt(token: str) -> str:
    try:
        return _keys(tuple(settings.CRM_SECRETS_KEY)).decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(_NO_KEY_DECRYPTS) from None


def decrypted_dates(tokens: Iterable[str | None]) -> list[date | None]:
    """Dates read as their ciphertext (the column cast to text), decrypted with the keys
    resolved once: a read of tens of thousands of rows, which the field would decrypt one
    value at a time at several times the cost of the decryption itself. Empty stays None."""
    keys = _keys(tuple(settings.CRM_SECRETS_KEY))
    try:
        return [
            date.fromisoformat(keys.decrypt(token.encode()).decode()) if token else None
            for token in tokens
        ]
    except InvalidToken:
        raise SecretUnreadable(_NO_KEY_DECRYPTS) from None


class SealedText(str):
    """Text read from an encrypted column, with the ciphertext it was read from: saved again
    unchanged, the row keeps that ciphertext instead of a new one."""

    ciphertext = ""


class SealedDate(date):
    """A date read from an encrypted column, with its ciphertext (see SealedText)."""

    ciphertext = ""


def _sealed(value, ciphertext: str):
    if isinstance(value, date):
        sealed = SealedDate(value.year, value.month, value.day)
    else:
        sealed = SealedText(value)
    sealed.ciphertext = ciphertext
    return sealed


class _KeepsCiphertext(DeferredAttribute):
    """Setting an encrypted field to the value it holds keeps the value read from the
    database, ciphertext and all: each save would otherwise write new ciphertext for an
    unchanged value, and the field history would see a change where there is none."""

    def __set__(self, instance, value):
        current = instance.__dict__.get(self.field.attname)
        unchanged = type(value) in (str, date) and current == value
        if unchanged and isinstance(current, SealedText | SealedDate):
            return
        instance.__dict__[self.field.attname] = value


class EncryptedFieldMixin:
    """A field the database holds encrypted under CRM_SECRETS_KEY; Python sees it in clear.

    An empty value is stored as it is. Encryption is randomised, so a lookup by value would
    compare ciphertexts and silently match nothing: only ``isnull`` and the "is distinct from"
    comparisons of the field history's triggers (pgtrigger's ``df``/``ndf``, which compare a
    row's stored form before and after) are allowed.
    """

    descriptor_class = _KeepsCiphertext
    ALLOWED_LOOKUPS = frozenset({"isnull", "df", "ndf"})

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def get_internal_type(self):
        # What the database holds is text: a backend's converters for dates must not parse
        # the ciphertext before from_db_value decrypts it.
        return "TextField"

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name in self.ALLOWED_LOOKUPS else None

    def get_transform(self, lookup_name):
        return None

    def _to_text(self, value) -> str:
        return value

    def _from_text(self, text: str):
        return text

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return _sealed(self._from_text(decrypt(value)), value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if isinstance(value, SealedText | SealedDate) and value.ciphertext:
            return value.ciphertext
        value = self.to_python(value)
        if value is None or value == "":
            return value
        return encrypt(self._to_text(value))


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """Text kept encrypted (a partner's signing secret, a national id)."""


class EncryptedDateField(EncryptedFieldMixin, models.DateField):
    """A date kept encrypted (a birth date), as its ISO text; NULL stays NULL."""

    def _to_text(self, value) -> str:
        return value.isoformat()

    def _from_text(self, text: str):
        return date.fromisoformat(text)


# --- Keyed hashes -----------------------------------------------------------------------------

DEVELOPMENT_LOOKUP_KEY = "crm development lookup key"


@cache
def _lookup_key(key: str) -> bytes:
    return hashlib.sha256(("crm.lookup:" + (key or DEVELOPMENT_LOOKUP_KEY)).encode()).digest()


def lookup_digest(value: str) -> str:
    """A keyed hash of ``value`` (HMAC-SHA256 under CRM_LOOKUP_KEY, 128 bits in hex), for
    finding an encrypted value by equality; empty for an empty value."""
    if not value:
        return ""
    key = _lookup_key(settings.CRM_LOOKUP_KEY)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


@checks.register(checks.Tags.security)
def secrets_key_check(app_configs, **kwargs):
    if not settings.DEBUG:
        return []
    warnings = []
    if not settings.CRM_SECRETS_KEY:
        warnings.append(
            checks.Warning(
                "CRM_SECRETS_KEY is not set: partner secrets, national ids and birth dates are "
                "encrypted under a fixed development key that anyone can read. Fine for "
                "development; production refuses to start without the variable.",
                hint='Generate one with python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"',
                id="crm.W001",
            )
        )
    if not settings.CRM_LOOKUP_KEY:
        warnings.append(
            checks.Warning(
                "CRM_LOOKUP_KEY is not set: the keyed hashes that find national ids and "
                "duplicates use a fixed development key. Fine for development; production "
                "refuses to start without the variable.",
                hint='Generate one with python -c "import secrets; '
                'print(secrets.token_urlsafe(32))"',
                id="crm.W002",
            )
        )
    return warnings


# --- Rotation ---------------------------------------------------------------------------------

ROTATION_BATCH = 2000


def _encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, and their columns: found through the
    models, so a new encrypted field is rotated with the others."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            field.column
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedFieldMixin)
        ]
        if columns:
            found.append((model, columns))
    return found


def _rows_write(cursor, table: str, pk: str, columns: list[str], rows: list[list]) -> None:
    """UPDATE each row (pk first, then the columns' values)."""
    quote = connection.ops.quote_name
    if connection.vendor != "postgresql":
        assigned = ", ".join(f"{quote(c)} = %s" for c in columns)
        cursor.executemany(
            f"UPDATE {table} SET {assigned} WHERE {pk} = %s", [[*r[1:], r[0]] for r in rows]
        )
        return
    # One statement per batch: pgtrigger's ignore() cannot wrap an executemany.
    row = "(" + ", ".join(["%s::bigint"] + ["%s::text"] * len(columns)) + ")"
    names = ", ".join(["row_id"] + [quote(c) for c in columns])
    assigned = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
    cursor.execute(
        f"UPDATE {table} AS t SET {assigned} FROM (VALUES {', '.join([row] * len(rows))}) "
        f"AS v({names}) WHERE t.{pk} = v.row_id",
        [value for r in rows for value in r],
    )


def _rotate_table(model, columns: list[str]) -> int:
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    listed = ", ".join(quote(c) for c in columns)
    held = " OR ".join(f"{quote(c)} <> ''" for c in columns)
    rotated = last_id = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {pk}, {listed} FROM {table} WHERE {pk} > %s AND ({held}) "
                f"ORDER BY {pk} LIMIT %s",
                [last_id, ROTATION_BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return rotated
            _rows_write(
                cursor,
                table,
                pk,
                columns,
                [[key, *(reencrypt(v) if v else v for v in values)] for key, *values in rows],
            )
        rotated += len(rows)
        last_id = rows[-1][0]


def encrypted_values_rotate(progress=None) -> dict[str, int]:
    """Encrypt every stored value again under the first key of CRM_SECRETS_KEY, table by
    table in batches (each its own transaction, so a stopped run is simply run again); once
    it is done the older keys can be removed. The field history's triggers are held off: the
    values do not change, only the key that seals them. Rows per table."""
    done = {}
    triggers = [f"{model._meta.label}:{trigger.name}" for model, trigger in pgtrigger.registered()]
    held_off = pgtrigger.ignore(*triggers) if connection.vendor == "postgresql" else nullcontext()
    with held_off:
        for model, columns in _encrypted_columns():
            done[model._meta.label] = _rotate_table(model, columns)
            if progress:
                progress(model._meta.label, done[model._meta.label])
    return done
