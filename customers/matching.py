"""Duplicate detection without the database: identity profiles, blocking keys and pair scores.

An ``IdentityProfile`` holds the normalised identity of one party. ``blocking_keys`` gives the
short values that two records of one person are likely to share; only parties sharing a key are
compared, so a scan scores a handful of candidates per party instead of every possible pair.
``score_pair`` compares two profiles field by field and adds Fellegi-Sunter weights: for each
outcome, log2 of how much more often two records of one person show it than two records of
different people do. Agreement adds, disagreement subtracts, a missing value adds nothing. The
sum is squashed to 0..1 and comes with the reasons a person can check.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from typing import Literal

import jellyfish
from django.core.exceptions import ValidationError
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from customers.normalization import name_key, normalize_phone

Decision = Literal["exact", "probable", "unlikely"]

# Scores at or above this are worth a person's look; below, the pair is left alone.
PROBABLE_THRESHOLD = 0.5
# Callers skip a blocking key that more parties than this share: such a value (a common name on
# a common birthday, a large household's postcode) says little and would cost many comparisons.
MAX_BLOCK_SIZE = 50
MAX_KEY_LENGTH = 120

# Weights in bits. Rough m/u ratios for a customer base: a typo-free field of a duplicate
# agrees most of the time, an unrelated pair that shares a blocking key rarely does. They are
# rounded on purpose, so that a reviewer can follow a score with pencil and paper.
W_NID_SAME = 14.0
W_NID_NEAR = 7.0  # one keystroke apart: a typo far more often than a coincidence
W_NID_DIFF = -6.0  # milder than it could be: people hold several documents
# Households share an e-mail address or a landline, so these prove one person only with the
# name: alone they stay below the threshold.
W_EMAIL_SAME = 9.0
W_EMAIL_DIFF = -1.0  # people keep several addresses; different ones prove little
W_PHONE_SAME = 8.0
W_PHONE_DIFF = -1.0

# (similarity at least, weight) from the best level down; below the last, the disagreement.
# A shared name alone (two John Smiths) stays below the threshold: it needs one more field.
GIVEN_LEVELS = ((1.0, 4.0), (0.94, 3.5), (0.88, 2.5), (0.80, 1.0))
W_GIVEN_DIFF = -2.5
FAMILY_LEVELS = ((1.0, 5.0), (0.94, 4.0), (0.88, 3.0), (0.80, 1.0))
W_FAMILY_DIFF = -2.5
# Sounds alike although spelled apart ('Catherine' / 'Kathryn'): weaker than a close spelling.
W_NAME_SOUNDS_ALIKE = 1.0

W_DOB_SAME = 8.0
W_DOB_SWAPPED = 4.0  # day and month swapped: the classic US/European mix-up
W_DOB_NEAR = 4.0  # one digit wrong or two neighbouring digits swapped
W_DOB_MONTH = 1.0  # same year and month, another day
W_DOB_DIFF = -3.0  # mistyped, or a placeholder such as 1900-01-01, in a few percent of records

STREET_LEVELS = ((100.0, 6.0), (90.0, 5.0), (80.0, 3.0), (65.0, 1.0))
W_STREET_DIFF = -2.0
CITY_LEVELS = ((1.0, 2.0), (0.9, 1.5), (0.8, 0.5))
W_CITY_DIFF = -1.0
W_POSTCODE_SAME = 3.0
W_POSTCODE_NEAR = 1.0  # two digits swapped, or the next district
W_POSTCODE_DIFF = -1.5
LOCALITY_SHARE_WITH_STREET = 0.5
FAMILY_SHARE_IN_HOUSEHOLD = 0.0
# What counts as agreement of one kind for the rule that a probable pair needs two kinds.
NAME_EVIDENCE = 4.0
DOB_EVIDENCE = 4.0
ADDRESS_EVIDENCE = 3.0

# Where the squash crosses PROBABLE_THRESHOLD, and how many bits take it from 0.5 to 2/3.
PROBABLE_WEIGHT = 7.0
SCORE_SCALE = 4.0

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_STREET_WORDS = {
    "st": "street",
    "str": "strasse",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "dr": "drive",
    "ln": "lane",
    "ct": "court",
    "pl": "place",
    "cres": "crescent",
    "cr": "crescent",
    "blvd": "boulevard",
    "hwy": "highway",
    "sq": "square",
    "tce": "terrace",
    "apt": "apartment",
}


@dataclass(frozen=True, slots=True)
class Match:
    score: float
    reasons: list[str]
    decision: Decision


@dataclass(frozen=True, slots=True)
class IdentityProfile:
    """The normalised identity of one party; build one from raw values with ``build``."""

    party_id: int | None = None
    given: str = ""
    family: str = ""
    birth_date: date | None = None
    national_id: str = ""
    emails: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()
    street: str = ""
    city: str = ""
    postcode: str = ""
    # Derived once here, so that scoring millions of pairs does no string work of its own.
    # Names and places are compared without spaces: a space typed into the middle of a word
    # ('mc carthy', 'hartleystreet') is one of the commonest slips.
    _given_c: str = field(init=False, repr=False, compare=False)
    _family_c: str = field(init=False, repr=False, compare=False)
    _given_code: str = field(init=False, repr=False, compare=False)
    _family_code: str = field(init=False, repr=False, compare=False)
    _dob: str = field(init=False, repr=False, compare=False)
    _street_c: str = field(init=False, repr=False, compare=False)
    _city_c: str = field(init=False, repr=False, compare=False)
    _city_code: str = field(init=False, repr=False, compare=False)
    _house: str = field(init=False, repr=False, compare=False)
    _street_code: str = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        given_c = self.given.replace(" ", "")
        family_c = self.family.replace(" ", "")
        setattr_ = object.__setattr__
        setattr_(self, "_given_c", given_c)
        setattr_(self, "_family_c", family_c)
        setattr_(self, "_given_code", _phonetic(given_c))
        setattr_(self, "_family_code", _phonetic(family_c))
        setattr_(self, "_dob", self.birth_date.strftime("%Y%m%d") if self.birth_date else "")
        setattr_(self, "_street_c", self.street.replace(" ", ""))
        setattr_(self, "_city_c", self.city.replace(" ", ""))
        setattr_(self, "_city_code", _phonetic(self._city_c))
        words = self.street.split()
        house = next((w for w in words[:2] if any(ch.isdigit() for ch in w)), "")
        # The street's name: its first word that is no number ('12 high street' -> 'high').
        name = next((w for w in words if not any(ch.isdigit() for ch in w)), "")
        setattr_(self, "_house", house)
        setattr_(self, "_street_code", _phonetic(name))

    @classmethod
    def build(
        cls,
        *,
        party_id: int | None = None,
        given_name: str | None = "",
        family_name: str | None = "",
        birth_date: date | str | None = None,
        national_id: str | None = "",
        emails: Iterable[str | None] = (),
        phones: Iterable[str | None] = (),
        street: str | Iterable[str | None] | None = "",
        city: str | None = "",
        postcode: str | None = "",
        phone_region: str | None = None,
    ) -> "IdentityProfile":
        """Normalise raw values as typed: blanks, case, accents, spacing and formats.

        ``street`` is one line or several parts (house number, address lines), joined in order.
        A birth date or phone number that cannot be read counts as missing: it must neither
        help nor hurt a match.
        """
        parts = [street] if isinstance(street, str) or street is None else list(street)
        return cls(
            party_id=party_id,
            given=name_key(given_name or ""),
            family=name_key(family_name or ""),
            birth_date=_parse_date(birth_date),
            national_id=identifier_key(national_id or ""),
            emails=frozenset(e for e in (email_key(v) for v in emails) if e),
            phones=frozenset(p for p in (_phone_key(v, phone_region) for v in phones) if p),
            street=street_key(" ".join(p for p in parts if p)),
            city=name_key(city or ""),
            postcode=identifier_key(postcode or ""),
        )


def identifier_key(value: str) -> str:
    """Upper-case letters and digits only: 'ab 12-34.c' -> 'AB1234C'."""
    folded = unicodedata.normalize("NFKD", value or "")
    return _NOT_ALNUM.sub("", folded).upper()


def email_key(value: str | None) -> str:
    email = (value or "").strip().lower()
    return email if "@" in email.strip("@") else ""


def street_key(value: str) -> str:
    """The name key with the usual abbreviations spelled out: '12 High St.' -> '12 high street'."""
    return " ".join(_STREET_WORDS.get(word, word) for word in name_key(value).split())


def _phone_key(value: str | None, region: str | None) -> str:
    if not (value or "").strip():
        return ""
    try:
        return normalize_phone(value or "", region=region)
    except ValidationError:
        return ""


def _parse_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _phonetic(word: str) -> str:
    # NYSIIS keeps more of a name than Soundex (fewer false friends) yet forgives vowels,
    # doubled letters and the usual spelling variants.
    return jellyfish.nysiis(word) if word else ""


def _key(kind: str, *parts: str) -> tuple[str, str]:
    return kind, " ".join(parts)[:MAX_KEY_LENGTH]


def blocking_keys(profile: IdentityProfile) -> set[tuple[str, str]]:
    """(kind, value) pairs that two records of one person are likely to share.

    Each key pairs two fields, so that a record with any one field mistyped, missing or out of
    date still shares most keys with its duplicate, and each key alone stays selective. Names
    enter as phonetic codes (typos and spelling variants), and given and family names are
    interchangeable within a key (forms filled in the wrong order).
    """
    p = profile
    keys = {_key("email", e) for e in p.emails}
    keys.update(_key("phone", ph) for ph in p.phones)
    if p.national_id:
        keys.add(_key("nid", p.national_id))
    dob, postcode, house = p._dob, p.postcode, p._house
    codes = {c for c in (p._given_code, p._family_code) if c}
    for code in codes:
        if dob:
            keys.add(_key("name_dob", code, dob))
        if postcode:
            keys.add(_key("name_postcode", code, postcode))
        if house:
            keys.add(_key("name_house", code, house))
    if len(codes) == 2:
        keys.add(_key("phonetic_name", *sorted(codes)))
    if dob:
        if postcode:
            keys.add(_key("dob_postcode", dob, postcode))
        if p._city_code:
            keys.add(_key("dob_city", dob, p._city_code))
        if house:
            keys.add(_key("dob_house", dob, house))
    city, street = p._city_code, p._street_code
    for code in codes:
        if city:
            keys.add(_key("name_city", code, city))
    if street:
        if postcode:
            keys.add(_key("street_postcode", street, postcode))
        if city:
            keys.add(_key("street_city", street, city))
    return keys


def _level(similarity: float, levels: tuple[tuple[float, float], ...], miss: float) -> float:
    for at_least, weight in levels:
        if similarity >= at_least:
            return weight
    return miss


def _squash(weight: float) -> float:
    return 1.0 / (1.0 + 2.0 ** (-(weight - PROBABLE_WEIGHT) / SCORE_SCALE))


def score_pair(a: IdentityProfile, b: IdentityProfile) -> Match:
    """Compare two profiles field by field; see the module docstring for the scheme."""
    reasons: list[str] = []
    jw = JaroWinkler.similarity

    # Identifiers and contact points.
    ident_w = 0.0
    same_nid = shared_contact = False
    if a.national_id and b.national_id:
        if a.national_id == b.national_id:
            same_nid = True
            ident_w += W_NID_SAME
            reasons.append("same national id")
        elif OSA.distance(a.national_id, b.national_id, score_cutoff=1) <= 1:
            ident_w += W_NID_NEAR
            reasons.append("national id one character apart")
        else:
            ident_w += W_NID_DIFF
            reasons.append("different national id")
    if a.emails and b.emails:
        if a.emails & b.emails:
            shared_contact = True
            ident_w += W_EMAIL_SAME
            reasons.append("same e-mail")
        else:
            ident_w += W_EMAIL_DIFF
    if a.phones and b.phones:
        if a.phones & b.phones:
            shared_contact = True
            ident_w += W_PHONE_SAME
            reasons.append("same phone")
        else:
            ident_w += W_PHONE_DIFF

    # Names: given against given and family against family, or crosswise when that fits
    # clearly better (the two fields swapped on a form).
    ga, fa, gb, fb = a._given_c, a._family_c, b._given_c, b._family_c
    code_gb, code_fb = b._given_code, b._family_code
    g_sim = jw(ga, gb) if ga and gb else -1.0
    f_sim = jw(fa, fb) if fa and fb else -1.0
    if g_sim < 0.88 or f_sim < 0.88:
        cross_g = jw(ga, fb) if ga and fb else -1.0
        cross_f = jw(fa, gb) if fa and gb else -1.0
        if cross_g + cross_f > max(g_sim, 0.0) + max(f_sim, 0.0) + 0.3:
            g_sim, f_sim = cross_g, cross_f
            code_gb, code_fb = code_fb, code_gb
            reasons.append("given and family names swapped")
    given_w = family_w = 0.0
    if g_sim >= 0:
        given_w = _level(g_sim, GIVEN_LEVELS, W_GIVEN_DIFF)
        if given_w <= 0 and a._given_code and a._given_code == code_gb:
            given_w = W_NAME_SOUNDS_ALIKE
    if f_sim >= 0:
        family_w = _level(f_sim, FAMILY_LEVELS, W_FAMILY_DIFF)
        if family_w <= 0 and a._family_code and a._family_code == code_fb:
            family_w = W_NAME_SOUNDS_ALIKE
    sims = [sim for sim in (g_sim, f_sim) if sim >= 0]
    if len(sims) == 2 and min(sims) >= 1.0:
        reasons.append("same name")
    elif sims:
        reasons.append(f"name {sum(sims) / len(sims):.2f}")

    dob_w = 0.0
    dob_a, dob_b = a._dob, b._dob
    if dob_a and dob_b:
        if dob_a == dob_b:
            dob_w = W_DOB_SAME
            reasons.append("same date of birth")
        elif dob_a[:4] == dob_b[:4] and dob_a[4:6] == dob_b[6:] and dob_a[6:] == dob_b[4:6]:
            dob_w = W_DOB_SWAPPED
            reasons.append("date of birth with day and month swapped")
        elif OSA.distance(dob_a, dob_b, score_cutoff=1) <= 1:
            dob_w = W_DOB_NEAR
            reasons.append("date of birth one digit apart")
        elif dob_a[:6] == dob_b[:6]:
            dob_w = W_DOB_MONTH
            reasons.append("same year and month of birth")
        else:
            dob_w = W_DOB_DIFF
            reasons.append("different date of birth")

    street_w = locality_w = 0.0
    if a._street_c and b._street_c:
        if a._street_c == b._street_c:
            street_w = STREET_LEVELS[0][1]
            reasons.append("same street address")
        else:
            sim = fuzz.ratio(a._street_c, b._street_c)
            if sim < 90:
                # Address lines in another order, or one of them left out.
                sim = max(sim, fuzz.token_set_ratio(a.street, b.street))
            street_w = _level(sim, STREET_LEVELS, W_STREET_DIFF)
            reasons.append(f"street address {sim / 100:.2f}")
    if a._city_c and b._city_c:
        if a._city_c == b._city_c:
            locality_w += CITY_LEVELS[0][1]
            reasons.append("same city")
        else:
            sim = jw(a._city_c, b._city_c)
            locality_w += _level(sim, CITY_LEVELS, W_CITY_DIFF)
            reasons.append(f"city {sim:.2f}")
    if a.postcode and b.postcode:
        if a.postcode == b.postcode:
            locality_w += W_POSTCODE_SAME
            reasons.append("same postcode")
        elif OSA.distance(a.postcode, b.postcode, score_cutoff=1) <= 1:
            locality_w += W_POSTCODE_NEAR
            reasons.append("postcode one character apart")
        else:
            locality_w += W_POSTCODE_DIFF
            reasons.append("different postcode")
    # City and postcode come with the street: they confirm one address rather than add
    # evidence of their own.
    if street_w > 0 and locality_w > 0:
        locality_w *= LOCALITY_SHARE_WITH_STREET
    # A household shares the family name, the address and often an e-mail or a landline, so
    # there a shared family name with another given name tells nothing: it is what a spouse or
    # a child looks like.
    family_evidence = family_w
    if family_w > 0 and given_w <= 0 and (street_w > 0 or shared_contact):
        family_w *= FAMILY_SHARE_IN_HOUSEHOLD
    name_w = given_w + family_w
    address_w = street_w + locality_w

    weight = ident_w + name_w + dob_w + address_w
    # One kind of evidence alone, however strong, is not enough: two John Smiths, two people
    # at one address, a shared family e-mail. The pair needs a second, independent kind.
    kinds = (
        (ident_w > 0)
        + (max(given_w, 0.0) + max(family_evidence, 0.0) >= NAME_EVIDENCE)
        + (dob_w >= DOB_EVIDENCE)
        + (address_w >= ADDRESS_EVIDENCE)
    )
    if kinds < 2 and weight >= PROBABLE_WEIGHT:
        weight = PROBABLE_WEIGHT - 1.0
        reasons.append("only one kind of evidence")
    score = _squash(weight)

    names_agree = len(sims) == 2 and min(sims) >= 0.88
    if (same_nid and not (dob_w < 0 and given_w + family_w < 0)) or (
        shared_contact and names_agree and dob_w >= 0
    ):
        decision: Decision = "exact"
    elif score >= PROBABLE_THRESHOLD:
        decision = "probable"
    else:
        decision = "unlikely"
    return Match(score=score, reasons=reasons, decision=decision)


def candidate_pairs(
    profiles: Iterable[IdentityProfile], *, max_block_size: int = MAX_BLOCK_SIZE
) -> set[tuple[int, int]]:
    """Pairs of party ids (lower first) that share a selective blocking key, in memory.

    The same rule a database scan follows, for imports and tests: a key shared by more than
    ``max_block_size`` parties is skipped.
    """
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for profile in profiles:
        if profile.party_id is None:
            raise ValueError("candidate_pairs needs profiles with a party_id")
        for key in blocking_keys(profile):
            blocks[key].append(profile.party_id)
    pairs: set[tuple[int, int]] = set()
    for ids in blocks.values():
        if 1 < len(ids) <= max_block_size:
            pairs.update((x, y) if x < y else (y, x) for x, y in combinations(ids, 2) if x != y)
    return pairs


def score_pairs(
    profiles_by_id: Mapping[int, IdentityProfile], pairs: Iterable[tuple[int, int]]
) -> Iterator[tuple[int, int, Match]]:
    for id_a, id_b in pairs:
        yield id_a, id_b, score_pair(profiles_by_id[id_a], profiles_by_id[id_b])
