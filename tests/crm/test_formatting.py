from decimal import Decimal

from crm.formatting import money


def test_money_shows_the_currency_and_thousands_separators():
    assert money(Decimal("1136686.65"), "EUR", "en_GB") == "€1,136,686.65"


def test_money_follows_the_locale_of_the_reader():
    assert money(Decimal("1136686.65"), "EUR", "de_DE") == "1.136.686,65\xa0€"


def test_money_in_another_currency_uses_its_symbol():
    assert money(28, "GBP", "en_GB") == "£28.00"


def test_money_without_a_currency_uses_the_products_default(settings):
    settings.CRM_CURRENCY = "USD"
    assert money(5, None, "en_US") == "$5.00"


def test_no_amount_shows_nothing():
    assert money(None, "EUR") == ""
