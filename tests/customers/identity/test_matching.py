"""Duplicate detection on plain profiles: no database, only customers.identity.matching."""

from datetime import date

import pytest

from crm.sealed import lookup_digest
from customers.identity.matching import (
    PROBABLE_THRESHOLD,
    IdentityProfile,
    Match,
    blocking_keys,
    candidate_pairs,
    score_pair,
    score_pairs,
)

P = IdentityProfile.build
HOME = {"street": "12 High Street", "city": "Leeds", "postcode": "LS1 4AB"}
ELSEWHERE = {"street": "3 Mill Lane", "city": "York", "postcode": "YO1 7HH"}


def ada(**changes):
    values = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "birth_date": date(1985, 12, 10),
        **HOME,
    }
    return P(**(values | changes))


# Building a profile


def test_build_normalises_what_was_typed():
    profile = P(
        party_id=7,
        given_name="  Zoë ",
        family_name="O'Brien-Smith",
        birth_date="1990-02-03",
        national_id="ab 12-34.56 c",
        emails=["  Zoe.OBrien@Example.COM ", "", None, "not an address"],
        phones=["07911 123456", "12", ""],
        street=("12", "High St.", None, "Flat 2"),
        city="München",
        postcode="ls1 4ab",
        phone_region="GB",
    )

    assert profile.party_id == 7
    assert profile.given == "zoe"
    assert profile.family == "obriensmith"
    assert profile.birth_date == date(1990, 2, 3)
    assert profile.national_id == "AB123456C"
    assert profile.emails == frozenset({"zoe.obrien@example.com"})
    assert profile.phones == frozenset({"+447911123456"})
    assert profile.street == "12 high street flat 2"
    assert profile.city == "munchen"
    assert profile.postcode == "LS14AB"


@pytest.mark.parametrize("typed", ["19850230", "30/02/1985", "soon", ""])
def test_a_birth_date_that_cannot_be_read_counts_as_missing(typed):
    assert P(family_name="Lovelace", birth_date=typed).birth_date is None


@pytest.mark.parametrize("typed", ["1985-12-10", "19851210", "10.12.1985", date(1985, 12, 10)])
def test_birth_dates_are_read_in_the_usual_forms(typed):
    assert P(family_name="Lovelace", birth_date=typed).birth_date == date(1985, 12, 10)


def test_profiles_are_immutable_and_compare_by_their_values():
    profile = ada()
    with pytest.raises(AttributeError):
        profile.given = "bob"
    assert profile == ada()
    assert hash(profile) == hash(ada())


# Identifiers


def test_the_same_email_in_mixed_case_is_an_exact_match():
    a = P(given_name="Ada", family_name="Lovelace", emails=["Ada.Lovelace@Example.org"])
    b = P(given_name="ada", family_name="LOVELACE", emails=["ada.lovelace@example.ORG "])

    match = score_pair(a, b)

    assert match.decision == "exact"
    assert "same e-mail" in match.reasons


def test_the_same_phone_in_different_formats_is_an_exact_match():
    a = P(given_name="Ada", family_name="Lovelace", phones=["07911 123456"], phone_region="GB")
    b = P(
        given_name="Ada", family_name="Lovelace", phones=["+44 (0)7911-123 456"], phone_region="GB"
    )

    match = score_pair(a, b)

    assert a.phones == b.phones == frozenset({"+447911123456"})
    assert match.decision == "exact"
    assert "same phone" in match.reasons


def test_the_same_national_id_is_exact_whatever_the_punctuation():
    a = ada(national_id="QQ 12 34 56 C", **ELSEWHERE)
    b = ada(given_name="Adah", birth_date=None, national_id="qq123456c")

    match = score_pair(a, b)

    assert match.decision == "exact"
    assert match.reasons[0] == "same national id"


def test_the_same_national_id_on_someone_else_entirely_is_not_proof():
    a = ada(national_id="QQ123456C")
    b = P(
        given_name="Brian",
        family_name="Okafor",
        birth_date=date(1950, 1, 1),
        national_id="QQ123456C",
        **ELSEWHERE,
    )

    assert score_pair(a, b).decision != "exact"


def test_a_national_id_one_keystroke_apart_supports_a_match_without_proving_it():
    a = ada(national_id="QQ123456C", **ELSEWHERE)
    b = ada(national_id="QQ123465C")

    match = score_pair(a, b)

    assert "national id one character apart" in match.reasons
    assert match.decision == "probable"


def test_a_shared_email_with_a_different_name_is_not_exact():
    a = P(given_name="Ada", family_name="Lovelace", emails=["family@example.org"])
    b = P(given_name="Charles", family_name="Babbage", emails=["family@example.org"])

    assert score_pair(a, b).decision == "unlikely"


# Names


def test_accented_names_match_their_plain_spelling_when_another_field_agrees():
    a = P(given_name="Zoë", family_name="Müller", birth_date="1990-02-03")
    b = P(given_name="Zoe", family_name="Mueller", birth_date="1990-02-03")

    match = score_pair(a, b)

    assert (a.given, a.family, b.family) == ("zoe", "muller", "mueller")
    assert match.decision == "probable"
    assert "same date of birth" in match.reasons


def test_swapped_given_and_family_names_are_recognised():
    a = ada()
    b = ada(given_name="Lovelace", family_name="Ada")

    match = score_pair(a, b)

    assert "given and family names swapped" in match.reasons
    assert "same name" in match.reasons
    assert match.decision == "probable"
    assert match.score == pytest.approx(score_pair(a, ada()).score)


def test_a_typo_in_the_family_name_with_the_same_birth_date_is_probable():
    a = P(given_name="Katherine", family_name="Johnson", birth_date="1980-03-04")
    b = P(given_name="Katherine", family_name="Jonhson", birth_date="1980-03-04")

    match = score_pair(a, b)

    assert match.decision == "probable"
    assert match.reasons == ["name 0.98", "same date of birth"]


def test_a_name_that_sounds_alike_counts_more_than_a_different_name():
    base = P(given_name="Sean", family_name="Smith", birth_date="1980-03-04")
    sounds_alike = P(given_name="Shawn", family_name="Smith", birth_date="1980-03-04")
    different = P(given_name="Sandy", family_name="Smith", birth_date="1980-03-04")

    assert score_pair(base, sounds_alike).score > score_pair(base, different).score


def test_the_same_name_with_another_birth_date_and_another_address_is_unlikely():
    match = score_pair(ada(), ada(birth_date=date(1961, 7, 9), **ELSEWHERE))

    assert match.decision == "unlikely"
    assert "different date of birth" in match.reasons
    assert "different postcode" in match.reasons


def test_the_same_name_and_birth_date_after_a_move_is_probable():
    assert score_pair(ada(), ada(**ELSEWHERE)).decision == "probable"


def test_two_people_who_share_only_a_name_are_unlikely():
    a = P(given_name="John", family_name="Smith", city="Leeds")
    b = P(given_name="John", family_name="Smith", city="Leeds")

    match = score_pair(a, b)

    assert match.decision == "unlikely"
    assert match.reasons[-1] == "only one kind of evidence"


# Households: FEBRL has none, a customer base is full of them


def test_family_members_at_one_address_are_not_duplicates():
    father = P(given_name="John", family_name="Smith", birth_date="1970-01-02", **HOME)
    daughter = P(given_name="Mary", family_name="Smith", birth_date="2001-05-06", **HOME)
    mother_without_birth_date = P(given_name="Anne", family_name="Smith", **HOME)

    assert score_pair(father, daughter).decision == "unlikely"
    match = score_pair(father, mother_without_birth_date)
    assert match.decision == "unlikely"
    assert "another given name in one household" in match.reasons


def test_a_household_sharing_an_email_and_a_phone_is_not_one_person():
    shared = {"emails": ["smiths@example.org"], "phones": ["+441134960000"]}
    john = P(given_name="John", family_name="Smith", phone_region="GB", **shared, **HOME)
    anne = P(given_name="Anne", family_name="Smith", phone_region="GB", **shared, **HOME)

    assert score_pair(john, anne).decision == "unlikely"


def test_neighbours_are_not_duplicates():
    a = P(given_name="John", family_name="Smith", birth_date="1950-01-02", **HOME)
    b = P(
        given_name="Ann",
        family_name="Jones",
        birth_date="1961-07-09",
        street="14 High Street",
        city="Leeds",
        postcode="LS1 4AB",
    )

    assert score_pair(a, b).decision == "unlikely"


def test_a_married_name_at_the_same_address_with_the_same_birth_date_is_probable():
    a = P(given_name="Mary", family_name="Smith", birth_date="1972-05-06", **HOME)
    b = P(given_name="Mary", family_name="Brown", birth_date="1972-05-06", **HOME)

    assert score_pair(a, b).decision == "probable"


# Dates


@pytest.mark.parametrize(
    ("other", "reason"),
    [
        (date(1985, 12, 10), "same date of birth"),
        (date(1985, 10, 12), "date of birth with day and month swapped"),
        (date(1985, 12, 16), "date of birth one digit apart"),
        (date(1958, 12, 10), "date of birth one digit apart"),
        (date(1985, 12, 27), "same year and month of birth"),
        (date(1962, 3, 1), "different date of birth"),
    ],
)
def test_birth_dates_are_compared_for_the_usual_slips(other, reason):
    assert reason in score_pair(ada(), ada(birth_date=other)).reasons


def test_a_closer_birth_date_scores_higher():
    scores = [
        score_pair(ada(), ada(birth_date=other)).score
        for other in (date(1985, 12, 10), date(1985, 12, 16), date(1985, 12, 27), date(1962, 3, 1))
    ]

    assert scores == sorted(scores, reverse=True)


# Missing values


@pytest.mark.parametrize(
    "field",
    ["given_name", "birth_date", "national_id", "emails", "phones", "street", "city", "postcode"],
)
def test_a_value_missing_on_one_side_neither_helps_nor_hurts(field):
    full = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "birth_date": "1985-12-10",
        "national_id": "QQ123456C",
        "emails": ["ada@example.org"],
        "phones": ["+447911123456"],
        "phone_region": "GB",
        **HOME,
    }
    blank = "" if field not in ("emails", "phones", "birth_date") else None
    if field in ("emails", "phones"):
        blank = []
    other = full | {"family_name": "Lovelace-King", "birth_date": "1985-12-16"}

    one_side_missing = score_pair(P(**(full | {field: blank})), P(**other))
    both_missing = score_pair(P(**(full | {field: blank})), P(**(other | {field: blank})))

    assert one_side_missing == both_missing


def test_missing_values_give_no_reasons():
    match = score_pair(P(family_name="Lovelace"), P(family_name="Lovelace"))

    assert match.reasons == ["name 1.00"]


# Score, decision, reasons


def test_the_score_is_between_0_and_1_and_the_decision_follows_the_threshold():
    pairs = [
        (ada(), ada()),
        (ada(), ada(given_name="Adah", **ELSEWHERE)),
        (ada(), P(given_name="Brian", family_name="Okafor", birth_date="1950-01-01")),
        (P(family_name="X"), P(family_name="Y")),
    ]
    for a, b in pairs:
        match = score_pair(a, b)
        assert 0.0 <= match.score <= 1.0
        assert match.decision in ("exact", "probable", "unlikely")
        if match.decision != "exact":
            assert (match.decision == "probable") == (match.score >= PROBABLE_THRESHOLD)


def test_scoring_is_symmetric():
    a = ada(emails=["ada@example.org"])
    b = ada(given_name="Lovelace", family_name="Adda", birth_date=date(1985, 10, 12), city="Leds")

    assert score_pair(a, b).score == pytest.approx(score_pair(b, a).score)
    assert score_pair(a, b).decision == score_pair(b, a).decision


def test_reasons_say_in_plain_words_what_agreed_and_what_did_not():
    a = ada(emails=["ada@example.org"])
    b = ada(
        given_name="Adda",
        emails=["ADA@example.org"],
        street="12 High St",
        city="Leeds",
        postcode="LS1 4AC",
    )

    match = score_pair(a, b)

    assert match == Match(match.score, match.reasons, "exact")
    assert match.reasons == [
        "same e-mail",
        "name 0.96",
        "same date of birth",
        "same street address",
        "same city",
        "postcode one character apart",
    ]


def test_reorder_of_address_lines_still_counts_as_the_same_street():
    a = ada(street=("12", "High Street", "Rose Cottage"))
    b = ada(street=("12", "Rose Cottage", "High Street"))

    reasons = score_pair(a, b).reasons

    assert "street address 1.00" in reasons


# Blocking keys


@pytest.mark.parametrize(
    "duplicate",
    [
        {"family_name": "Lovelase"},
        {"given_name": "Lovelace", "family_name": "Ada"},
        {"birth_date": date(1985, 12, 16)},
        {"birth_date": None, "postcode": "LS1 4BA"},
        ELSEWHERE,
        {"given_name": "Adah", "family_name": "King", "city": "Leeds"},
    ],
)
def test_true_duplicates_share_a_blocking_key(duplicate):
    assert blocking_keys(ada()) & blocking_keys(ada(**duplicate))


def test_unrelated_people_share_no_blocking_key():
    other = P(
        given_name="Brian",
        family_name="Okafor",
        birth_date="1950-01-01",
        national_id="ZZ999999Z",
        emails=["brian@example.net"],
        **ELSEWHERE,
    )

    assert not blocking_keys(ada(national_id="QQ123456C")) & blocking_keys(other)


def test_identifiers_are_blocking_keys_of_their_own():
    keys = blocking_keys(
        P(
            family_name="Lovelace",
            national_id="QQ123456C",
            emails=["ada@example.org"],
            phones=["+447911123456"],
            phone_region="GB",
        )
    )

    assert {
        ("nid", lookup_digest("QQ123456C")),
        ("email", lookup_digest("ada@example.org")),
        ("phone", lookup_digest("+447911123456")),
    } <= keys


def test_blocking_keys_are_short_keyed_hashes_and_long_values_stay_distinct():
    long_a = "a" * 200 + "@example.org"
    long_b = "a" * 199 + "b@example.org"

    keys_a = blocking_keys(ada(emails=[long_a], national_id="X" * 300))
    keys_b = blocking_keys(ada(emails=[long_b]))

    assert all(len(kind) <= 20 and len(value) == 32 for kind, value in keys_a)
    assert not any("X" in value or "example" in value for _, value in keys_a)
    email_a = {value for kind, value in keys_a if kind == "email"}
    email_b = {value for kind, value in keys_b if kind == "email"}
    assert email_a.isdisjoint(email_b)


def test_a_profile_with_almost_nothing_has_almost_no_keys():
    assert blocking_keys(P(family_name="Lovelace")) == set()
    assert blocking_keys(P()) == set()


def test_candidate_pairs_come_from_shared_keys_and_skip_oversized_blocks():
    twins = [ada(party_id=1), ada(party_id=2, family_name="Lovelase")]
    crowd = [
        P(party_id=10 + n, given_name=f"Person{n}", family_name=f"Other{n}", **ELSEWHERE)
        for n in range(5)
    ]

    assert candidate_pairs(twins + crowd, max_block_size=50) >= {(1, 2)}
    # Everyone in the crowd shares the street: with a cap of 3 that block says nothing.
    assert not any(x >= 10 for x, _ in candidate_pairs(twins + crowd, max_block_size=3))


def test_candidate_pairs_need_party_ids():
    with pytest.raises(ValueError, match="party_id"):
        candidate_pairs([ada(), ada()])


def test_score_pairs_scores_each_pair_by_id():
    profiles = {1: ada(party_id=1), 2: ada(party_id=2), 3: P(party_id=3, family_name="Okafor")}

    results = list(score_pairs(profiles, [(1, 2), (1, 3)]))

    assert [(x, y) for x, y, _ in results] == [(1, 2), (1, 3)]
    assert results[0][2].decision == "probable"
    assert results[1][2].decision == "unlikely"
