import pytest
from django.core.exceptions import ValidationError

from customers.normalization import (
    looks_like_phone,
    name_key,
    normalize_email,
    normalize_phone,
    normalize_url,
    postal_one_line,
)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Zoë  O'Brien", "zoe obrien"),
        ("O\u2019Neill", "oneill"),
        ("José Ñúñez", "jose nunez"),
        ("Straße", "strasse"),
        ("GROSSMANN", "grossmann"),
        ("Łukasz Wałęsa", "lukasz walesa"),
        ("Søren Kierkegaard", "soren kierkegaard"),
        ("Ægir Þórsson", "aegir thorsson"),
        ("  Müller \t  Lüdenscheidt  ", "muller ludenscheidt"),
        ("ﬁnn", "finn"),
        ("snake_case", "snake case"),
        ("", ""),
    ],
)
def test_name_key_is_lower_case_accent_free_punctuation_free_and_single_spaced(typed, key):
    assert name_key(typed) == key


def test_name_key_makes_differently_typed_names_equal():
    assert name_key("ZOË o'brien") == name_key("Zoe OBrien") == name_key(" zoë  o\u2019brien ")


def test_name_key_keeps_non_latin_scripts():
    assert name_key("ИВАНОВ") == "иванов"
    assert name_key("山田 太郎") == "山田 太郎"


def test_email_is_trimmed_and_lower_cased():
    assert normalize_email("  Ada.Lovelace@Example.ORG ") == "ada.lovelace@example.org"


@pytest.mark.parametrize(
    "typed", ["", "ada", "ada@", "@example.org", "ada@@example.org", "ada lovelace@example.org"]
)
def test_invalid_email_is_refused_with_a_message(typed):
    with pytest.raises(ValidationError) as refused:
        normalize_email(typed)
    assert refused.value.messages == ["Enter a valid e-mail address."]


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("07911 123456", "+447911123456"),
        ("07911-123-456", "+447911123456"),
        ("+44 7911 123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("+44 (0)20 7946 0018", "+442079460018"),
        ("020 7946 0018", "+442079460018"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+1 202-555-0143", "+12025550143"),
    ],
)
def test_phone_numbers_in_any_usual_format_become_e164(typed, e164):
    assert normalize_phone(typed) == e164


def test_national_phone_numbers_are_read_in_the_given_region():
    assert normalize_phone("06 12 34 56 78", region="FR") == "+33612345678"


def test_national_phone_numbers_default_to_the_configured_region(settings):
    settings.CRM_DEFAULT_PHONE_REGION = "FR"

    assert normalize_phone("06 12 34 56 78") == "+33612345678"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter a phone number."),
        ("   ", "Enter a phone number."),
        ("call me", "is not a phone number"),
        ("+44 1", "is not a phone number"),
        ("12345", "is not a valid phone number"),
        ("+44 7911 12345678", "is not a valid phone number"),
    ],
)
def test_invalid_phone_numbers_are_refused_with_a_message(typed, says):
    with pytest.raises(ValidationError) as refused:
        normalize_phone(typed)
    assert says in refused.value.messages[0]


def test_both_examples_in_the_phone_error_message_are_themselves_accepted():
    with pytest.raises(ValidationError) as refused:
        normalize_phone("12345")
    national, international = (
        refused.value.messages[0].rsplit("e.g. ", 1)[1].rstrip(".").split(" or ")
    )

    assert national.startswith("0")
    assert normalize_phone(national) == normalize_phone(international)
    assert normalize_phone(international).startswith("+44")


def test_the_phone_error_gives_the_examples_of_the_region_the_number_is_read_in():
    with pytest.raises(ValidationError) as refused:
        normalize_phone("12345", region="FR")

    assert "e.g. 06 12 34 56 78 or +33 6 12 34 56 78" in refused.value.messages[0]
    assert "international form" not in refused.value.messages[0]


@pytest.mark.parametrize(
    ("typed", "phone_like"),
    [("+44 7911 123456", True), ("(020) 7946-0018", True), ("12345", False), ("Ada 7911", False)],
)
def test_looks_like_phone_tells_numbers_from_names(typed, phone_like):
    assert looks_like_phone(typed) is phone_like


def test_web_addresses_must_be_http_or_https():
    assert normalize_url(" https://example.org/ada ") == "https://example.org/ada"
    with pytest.raises(ValidationError, match="valid web address"):
        normalize_url("ftp://example.org")


def test_postal_address_becomes_one_line_with_upper_case_postcode_and_country():
    line = postal_one_line(
        street=" 10 Downing Street ", postcode="sw1a 2aa", city=" London", country="gb"
    )

    assert line == "10 Downing Street, SW1A 2AA London, GB"


def test_postal_one_line_leaves_out_missing_parts_without_stray_commas():
    assert postal_one_line(street="1 Main St", postcode="", city="Cork", country="") == (
        "1 Main St, Cork"
    )
