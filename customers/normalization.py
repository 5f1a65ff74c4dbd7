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
    region = region or settings.CRM_DEFAULT_PHONE_REGION
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(f"'{raw}' is not a phone number. {phone_example(region)}") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(f"'{raw}' is not a valid phone number. {phone_example(region)}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=64)
def phone_example(region: str) -> str:
    """What to type, in the two forms ``normalize_phone`` reads for ``region``: the national
    one (read in that region) and the international one, e.g. '07400 123456 or +44 7400 123456'."""
    example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    if example is None:
        return "Enter a phone number in the international form: + and the country code first."
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    international = phonenumbers.format_number(
        example, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return f"Enter a phone number, e.g. {national} or {international}."


def looks_like_phone(value: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    return digits >= 6 and all(ch.isdigit() or ch in "+-() ./" for ch in value.strip())


def normalize_url(value: str) -> str:
    url = (value or "").strip()
    _url_validator(url)
    return url


# Babel's territories (CLDR) hold every ISO 3166-1 alpha-2 country, and also codes that name no
# country: the unknown region, unions, pseudo-locales and the areas ISO only reserves.
# XK (Kosovo) stays: the user-assigned code everyone, phone numbering included, uses for it.
_NOT_COUNTRIES = {
    *("ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"),  # unknown, unions, outlying, pseudo-locales
    *("AC", "CP", "CQ", "DG", "EA", "IC", "TA"),  # reserved by ISO for parts of a country
}


@functools.cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of the countries an address or a phone number can be in."""
    from babel import Locale

    return frozenset(
        code
        for code in Locale("en").territories
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    )


def normalize_country(value: str) -> str:
    """'gb' -> 'GB'; '' stays ''; a code that is no country raises a ValidationError."""
    code = (value or "").strip().upper()
    if code and code not in country_codes():
        raise ValidationError(
            f"'{value.strip()}' is not a country code. Use the two letters of the country, "
            "e.g. GB, DE or FR."
        )
    return code


@functools.cache
def currency_codes() -> frozenset[str]:
    """ISO 4217 codes of the currencies in use today: legal tender in some country (Babel's
    CLDR data), which leaves out the historic ones (DEM), test codes (XTS) and metals (XAU)."""
    from babel.numbers import get_territory_currencies, list_currencies

    listed = list_currencies()
    return frozenset(
        code
        for territory in country_codes()
        for code in get_territory_currencies(territory, tender=True)
        if code in listed
    )


def normalize_currency(value: str) -> str:
    """'eur' -> 'EUR'; a code that is no currency in use raises a ValidationError."""
    code = (value or "").strip().upper()
    if code not in currency_codes():
        raise ValidationError(
            f"'{(value or '').strip()}' is not the code of a currency in use. Give its three "
            "letters (ISO 4217), e.g. EUR, GBP or USD."
        )
    return code


def postal_one_line(*, street: str, postcode: str, city: str, country: str) -> str:
    locality = " ".join(part for part in (postcode.strip().upper(), city.strip()) if part)
    return ", ".join(part for part in (street.strip(), locality, country.strip().upper()) if part)


def national_id_normalise(national_id: str) -> str:
    """A national id as stored and looked up: upper case, no spaces."""
    return national_id.strip().upper().replace(" ", "")
