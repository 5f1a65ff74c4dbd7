"""Amounts as people read them: in the customer's currency, with the separators of the locale.

Babel carries the CLDR data (currency symbols, grouping, decimal marks) for every locale, so
"1136686.65" in EUR reads "€1,136,686.65" in en_GB and "1.136.686,65 €" in de_DE.
"""

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=32)
def _locale(name: str):
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(name)
    except (ValueError, UnknownLocaleError):
        return Locale.parse("en_GB")


def money(amount, currency: str | None = None, locale: str | None = None) -> str:
    """``amount`` in ``currency`` (the product's default when blank); "" for no amount."""
    from babel.numbers import format_currency

    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_currency(
        value,
        (currency or settings.CRM_CURRENCY).upper(),
        locale=_locale(locale or settings.CRM_LOCALE),
    )
