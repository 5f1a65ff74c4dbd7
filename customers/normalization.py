"""Canonical forms of names, e-mails, phone numbers and addresses.

Search, uniqueness and duplicate detection compare these forms, never what somebody typed.
"""

import functools
import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

_NOT_WORD = re.compile(r"[^\w\s]+")
# Letters whose diacritic is part of the letter, so NFKD leaves them whole: 'Łukasz' must find
# 'lukasz' like 'José' finds 'jose'.
_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)
_SPACES = re.compile(r"\s+")
_email_validator = EmailValidator(message="Enter a valid e-mail address.")
_url_validator = URLValidator(schemes=["http", "https"], message="Enter a valid web address.")


# Names, cities and streets repeat endlessly in a customer base; bulk imports and duplicate
# scans normalise millions of them, so each distinct value is worked out once.
@functools.lru_cache(maxsize=131_072)
def name_key(value: str) -> str:
    """Lower-case, accent-free, punctuation-free, single-spaced: 'Zoë  O'Brien' -> 'zoe obrien'."""
    value = value or ""
    if value.isascii():
        folded = value.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", value)
        without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = without_marks.casefold().translate(_UNDECOMPOSABLE)
    folded = folded.replace("_", " ")
    return _SPACES.sub(" ", _NOT_WORD.sub("", folded)).strip()


def normalize_email(value: str) -> str:
    email = (value or "").strip().lower()
    _email_validator(email)
    return email


def normalize_phone(value: str, *, region: str | None = None) -> str:
    """Return the number in E.164 ('+447700900123') or raise a ValidationError saying why."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationError("Enter a phone number.")
    try:
        number = phonenumbers.parse(raw, region or settings.CRM_DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"'{raw}' is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            f"'{raw}' is not a valid phone number; "
            "use the international form, e.g. +44 7911 123456."
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(value: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    return digits >= 6 and all(ch.isdigit() or ch in "+-() ./" for ch in value.strip())


def normalize_url(value: str) -> str:
    url = (value or "").strip()
    _url_validator(url)
    return url


def postal_one_line(*, street: str, postcode: str, city: str, country: str) -> str:
    locality = " ".join(part for part in (postcode.strip().upper(), city.strip()) if part)
    return ", ".join(part for part in (street.strip(), locality, country.strip().upper()) if part)
