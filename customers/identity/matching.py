"""Duplicate detection without the database: identity profiles, blocking keys and pair scores.

An ``IdentityProfile`` holds the normalised identity of one party. ``blocking_keys`` gives the
short values that two records of one person are likely to share; only parties sharing a key are
compared, so a scan scores a handful of candidates per party instead of every possible pair.

``score_pair`` compares two profiles field by field and adds Fellegi-Sunter weights, in bits:
for each outcome, roughly log2 of how much more often two records of one person show it than
two records of different people. Agreement adds, disagreement subtracts, a value missing on
either side adds nothing. Three rules correct the sum where fields are not independent:

* city and postcode count half once the street agrees (they come with the street);
* at one address, or behind one shared e-mail or phone, a shared family name with another
  given name counts nothing: that is what a household looks like;
* one kind of evidence alone (name, birth date, address, identifiers) never makes a pair
  probable: two John Smiths, or two people at one address, need something else in common.

The sum is squashed to a score in 0..1 (0.5 at ``PROBABLE_WEIGHT``), with the reasons a person
can check. "exact" needs an identifier: the same national id, or a shared e-mail or phone with
the same name.
"""

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, NamedTuple

import jellyfish
from django.core.exceptions import ValidationError
from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler

from crm.sealed import lookup_digest
from customers.normalization import name_key, normalize_phone

Decision = Literal["exact", "probable", "unlikely"]

# Scores at or above this are worth a person's look; below, the pair is left alone.
PROBABLE_THRESHOLD = 0.5
# Callers skip a blocking key that more parties than this share: such a value (a common name on
# a common birthday, a large household's postcode) says little and would cost many comparisons.
MAX_BLOCK_SIZE = 50

# Which pairs are compared at all: the one rule of the check at create, of the background scan
# and of imports. A pair needs evidence 2 from the keys it shares: one identifier (e-mail,
# phone, national id) is enough; every other key is common enough (a name with a birth date or
# a postcode, an address) that a pair needs two of them. A single such key in common almost
# never makes two records one person, and skipping those pairs keeps a scan of millions to
# minutes and an import from scoring every neighbour.
IDENTIFIER_KEYS = frozenset({"email", "phone", "nid"})
OTHER_KEY_EVIDENCE = 1
IDENTIFIER_EVIDENCE = 2
PAIR_EVIDENCE = 2


def key_evidence(kind: str) -> int:
    """How much sharing one key of this kind says toward comparing two records."""
    return IDENTIFIER_EVIDENCE if kind in IDENTIFIER_KEYS else OTHER_KEY_EVIDENCE


def members_worth_comparing(
    keys: Iterable[tuple[str, str]],
    members: Mapping[tuple[str, str], Iterable],
    *,
    max_block_size: int = MAX_BLOCK_SIZE,
) -> set:
    """The members (party ids, rows …) that share enough of ``keys`` to be compared.

    ``members`` gives who holds each key; a key held by more than ``max_block_size`` is not
    selective and counts for nothing.
    """
    evidence: dict = defaultdict(int)
    for key in keys:
        holders = list(members.get(key, ()))
        if len(holders) > max_block_size:
            continue
        for holder in holders:
            evidence[holder] += key_evidence(key[0])
    return {holder for holder, found in evidence.items() if found >= PAIR_EVIDENCE}


# Weights in bits: rough m/u ratios for a customer base with typing errors, rounded on purpose
# so that a reviewer can follow a score with pencil and paper. bench/febrl_offline.py measures
# them on the FEBRL data sets; the household cases in the tests keep them honest where FEBRL
# has no households.
W_NID_SAME = 14.0
W_NID_NEAR = 7.0  # one keystroke apart: a typo far more often than a coincidence
W_NID_DIFF = -6.0  # milder than it could be: people hold several documents
# A household shares an e-mail address or a landline, so these are strong only together with
# the person's own name (see the household rule in score_pair).
W_EMAIL_SAME = 8.5
W_EMAIL_DIFF = -1.0  # people keep several addresses; different ones prove little
W_PHONE_SAME = 7.5
W_PHONE_DIFF = -1.0
W_SECOND_CONTACT = 1.0

# (similarity at least, weight) from the best level down; below the last, the disagreement.
# Names disagree mildly: nicknames, a middle name used instead, marriage, a name left in the
# wrong field all happen to one person.
GIVEN_LEVELS = ((1.0, 4.0), (0.94, 3.5), (0.88, 2.5), (0.80, 1.0))
W_GIVEN_DIFF = -2.5
FAMILY_LEVELS = ((1.0, 5.0), (0.94, 4.0), (0.88, 3.0), (0.80, 1.0))
W_FAMILY_DIFF = -2.5
# Sounds alike although spelled apart ('Carl' / 'Karl', 'Sean' / 'Shawn'): at least this much.
W_NAME_SOUNDS_ALIKE = 2.0

W_DOB_SAME = 8.0
W_DOB_SWAPPED = 4.0  # day and month swapped: the classic US/European mix-up
W_DOB_NEAR = 4.0  # one digit wrong or two neighbouring digits swapped
W_DOB_MONTH = 1.0  # same year and month, another day
W_DOB_DIFF = -3.0  # mistyped, or a placeholder such as 1900-01-01, in a few percent of records

# Street similarity is fuzz.ratio in 0..100; address lines may come in any order.
STREET_LEVELS = ((100.0, 6.0), (90.0, 5.0), (80.0, 3.0), (65.0, 1.0))
W_STREET_DIFF = -2.0  # people move
CITY_LEVELS = ((1.0, 2.0), (0.9, 1.5), (0.8, 0.5))
W_CITY_DIFF = -1.0
W_POSTCODE_SAME = 3.0
W_POSTCODE_NEAR = 1.0  # two digits swapped, or the next district
W_POSTCODE_DIFF = -1.5
LOCALITY_SHARE_WITH_STREET = 0.5
FAMILY_SHARE_IN_HOUSEHOLD = 0.0
# The least weight that counts as agreement of one kind, for the rule that a probable pair
# needs two kinds.
NAME_EVIDENCE = 3.5
DOB_EVIDENCE = 4.0
ADDRESS_EVIDENCE = 3.0

# Where the squash crosses PROBABLE_THRESHOLD, and how many bits take it from 0.5 to 2/3.
PROBABLE_WEIGHT = 6.5
SCORE_SCALE = 4.0

_NOT_ALNUM = re.compile(r"[\W_]+")
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


class Match(NamedTuple):
    """How alike two profiles are: a score in 0..1, why, and what a caller should do."""

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
    _street_code: str = field(init=False, repr=False, compare=False)
    _street_words: frozenset[str] = field(init=False, repr=False, compare=False)

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
        # The street's name: its first word that is no number ('12 high street' -> 'high').
        name = next((w for w in words if not any(ch.isdigit() for ch in w)), "")
        setattr_(self, "_street_code", _phonetic(name))
        setattr_(self, "_street_words", frozenset(words))

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
    """Upper-case letters and digits only, accents dropped: 'ab 12-34.c' -> 'AB1234C'."""
    folded = unicodedata.normalize("NFKD", value or "")
    return _NOT_ALNUM.sub("", folded).upper()


def email_key(value: str | None) -> str:
    email = (value or "").strip().lower()
    return email if "@" in email.strip("@") else ""


def street_key(value: str) -> str:
    """The name key with the usual abbreviations spelled out: '12 High St.' -> '12 high street'."""
    return " ".join(_STREET_WORDS.get(word, word) for word in name_key(value).split())


_E164 = re.compile(r"\+[1-9]\d{6,14}")


def _phone_key(value: str | None, region: str | None) -> str:
    if not (value or "").strip():
        return ""
    if _E164.fullmatch(value):
        # Stored numbers are already E.164; parsing them again costs more than the rest of
        # a profile.
        return value
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
    # Keys are only ever compared for equality, so the table holds their keyed hashes: a copy
    # of it gives away no national id, birth date or e-mail address, and every key has the
    # same short length.
    return kind, lookup_digest(" ".join(parts))


def blocking_keys(profile: IdentityProfile) -> set[tuple[str, str]]:
    """(kind, value) pairs that two records of one person are likely to share.

    Apart from the identifiers, each key joins two fields, so that a duplicate with one field
    mistyped, missing or out of date still shares several keys, while each key stays selective.
    Names enter as phonetic codes (typos, spelling variants) and the given and family names
    stand in for each other (forms filled in the wrong order). Kinds:

    email, phone, nid          the identifier itself
    name_dob                   either name's code + birth date
    name_postcode, name_city   either name's code + postcode; first letters of name and city
    name_street                either name's code + the street's name code
    phonetic_name              both names' codes, in either order
    dob_postcode, dob_city, dob_street
    street_postcode, street_city
    address                    the street line with its house number + postcode
    """
    p = profile
    keys = {_key("email", e) for e in p.emails}
    keys.update(_key("phone", ph) for ph in p.phones)
    if p.national_id:
        keys.add(_key("nid", p.national_id))
    dob, postcode, city, street = p._dob, p.postcode, p._city_code, p._street_code
    codes = {c for c in (p._given_code, p._family_code) if c}
    for code in codes:
        if dob:
            keys.add(_key("name_dob", code, dob))
        if postcode:
            keys.add(_key("name_postcode", code, postcode))
        if street:
            keys.add(_key("name_street", code, street))
    if len(codes) == 2:
        keys.add(_key("phonetic_name", *sorted(codes)))
    # A typo that changes a phonetic code (another first consonant, 'rde' for 'ryde') mostly
    # leaves the first letters alone: these prefixes catch what the codes miss.
    city_prefix = p._city_c[:4]
    if city_prefix:
        for name in (p._given_c, p._family_c):
            if len(name) >= 3:
                keys.add(_key("name_city", name[:3], city_prefix))
    if dob:
        if postcode:
            keys.add(_key("dob_postcode", dob, postcode))
        if city:
            keys.add(_key("dob_city", dob, city))
        if street:
            keys.add(_key("dob_street", dob, street))
    if p._street_c and postcode:
        # The whole address, house number included: who else lives there.
        keys.add(_key("address", p._street_c, postcode))
    if street:
        if postcode:
            keys.add(_key("street_postcode", street, postcode))
        if city:
            keys.add(_key("street_city", street, city))
    return keys


def _table(levels: tuple[tuple[float, float], ...], miss: float, scale: int) -> tuple:
    """The weight of every similarity in hundredths, so scoring looks a level up by index."""
    weights = []
    for hundredths in range(101):
        similarity = hundredths * scale / 100
        weights.append(next((w for at_least, w in levels if similarity >= at_least), miss))
    return tuple(weights)


_GIVEN_W = _table(GIVEN_LEVELS, W_GIVEN_DIFF, 1)
_FAMILY_W = _table(FAMILY_LEVELS, W_FAMILY_DIFF, 1)
_STREET_W = _table(STREET_LEVELS, W_STREET_DIFF, 100)
_CITY_W = _table(CITY_LEVELS, W_CITY_DIFF, 1)
# Two-decimal labels ('0.94') by index: formatting a float costs more than the comparison.
_HUNDREDTHS = tuple(f"{i / 100:.2f}" for i in range(101))


def _hundredths(similarity: float) -> int:
    # Floor, with a hair of slack so that 0.94 does not land on 93 by float rounding.
    return int(similarity * 100 + 1e-9)


def score_pair(a: IdentityProfile, b: IdentityProfile) -> Match:
    """Compare two profiles field by field; see the module docstring for the scheme."""
    reasons: list[str] = []
    add = reasons.append
    jw = JaroWinkler.similarity

    # Identifiers and contact points.
    ident_w = 0.0
    same_nid = False
    if a.national_id and b.national_id:
        if a.national_id == b.national_id:
            same_nid = True
            ident_w += W_NID_SAME
            add("same national id")
        elif OSA.distance(a.national_id, b.national_id, score_cutoff=1) <= 1:
            ident_w += W_NID_NEAR
            add("national id one character apart")
        else:
            ident_w += W_NID_DIFF
            add("different national id")
    contact_w = 0.0
    if a.emails and b.emails:
        if a.emails.isdisjoint(b.emails):
            ident_w += W_EMAIL_DIFF
        else:
            contact_w = W_EMAIL_SAME
            add("same e-mail")
    if a.phones and b.phones:
        if a.phones.isdisjoint(b.phones):
            ident_w += W_PHONE_DIFF
        elif contact_w:
            # Whoever shares one channel tends to share the other: it adds little.
            contact_w += W_SECOND_CONTACT
            add("same phone")
        else:
            contact_w = W_PHONE_SAME
            add("same phone")
    shared_contact = contact_w > 0
    ident_w += contact_w

    # Names: given against given and family against family, or crosswise when that fits
    # clearly better (the two fields swapped on a form). -1 marks a name missing on a side.
    ga, fa, gb, fb = a._given_c, a._family_c, b._given_c, b._family_c
    code_gb, code_fb = b._given_code, b._family_code
    g_sim = jw(ga, gb) if ga and gb else -1.0
    f_sim = jw(fa, fb) if fa and fb else -1.0
    swapped = False
    if g_sim < 0.88 or f_sim < 0.88:
        cross_g = jw(ga, fb) if ga and fb else -1.0
        cross_f = jw(fa, gb) if fa and gb else -1.0
        if cross_g + cross_f > (g_sim if g_sim > 0 else 0.0) + (f_sim if f_sim > 0 else 0) + 0.3:
            swapped = True
            g_sim, f_sim = cross_g, cross_f
            code_gb, code_fb = code_fb, code_gb
            add("given and family names swapped")
    given_w = family_w = 0.0
    if g_sim >= 0:
        index = _hundredths(g_sim)
        # Crosswise, each comparison holds a given and a family name: weigh it as either, so
        # that the score does not depend on which record comes first.
        given_w = (_GIVEN_W[index] + _FAMILY_W[index]) / 2 if swapped else _GIVEN_W[index]
        if given_w < W_NAME_SOUNDS_ALIKE and a._given_code and a._given_code == code_gb:
            given_w = W_NAME_SOUNDS_ALIKE
    if f_sim >= 0:
        index = _hundredths(f_sim)
        family_w = (_GIVEN_W[index] + _FAMILY_W[index]) / 2 if swapped else _FAMILY_W[index]
        if family_w < W_NAME_SOUNDS_ALIKE and a._family_code and a._family_code == code_fb:
            family_w = W_NAME_SOUNDS_ALIKE
    both_names = g_sim >= 0 and f_sim >= 0
    if both_names:
        if g_sim == 1.0 and f_sim == 1.0:
            add("same name")
        else:
            add("name " + _HUNDREDTHS[_hundredths((g_sim + f_sim) / 2)])
    elif g_sim >= 0 or f_sim >= 0:
        add("name " + _HUNDREDTHS[_hundredths(max(g_sim, f_sim))])

    dob_w = 0.0
    dob_a, dob_b = a._dob, b._dob
    if dob_a and dob_b:
        if dob_a == dob_b:
            dob_w = W_DOB_SAME
            add("same date of birth")
        elif dob_a[:4] == dob_b[:4] and dob_a[4:6] == dob_b[6:] and dob_a[6:] == dob_b[4:6]:
            dob_w = W_DOB_SWAPPED
            add("date of birth with day and month swapped")
        elif OSA.distance(dob_a, dob_b, score_cutoff=1) <= 1:
            dob_w = W_DOB_NEAR
            add("date of birth one digit apart")
        elif dob_a[:6] == dob_b[:6]:
            dob_w = W_DOB_MONTH
            add("same year and month of birth")
        else:
            dob_w = W_DOB_DIFF
            add("different date of birth")

    street_w = locality_w = 0.0
    if a._street_c and b._street_c:
        if a._street_c == b._street_c:
            street_w = _STREET_W[100]
            add("same street address")
        else:
            sim = fuzz.ratio(a._street_c, b._street_c)
            if sim < 90 and not a._street_words.isdisjoint(b._street_words):
                # Address lines in another order, or one of them left out.
                sim = max(sim, fuzz.token_set_ratio(a.street, b.street))
            street_w = _STREET_W[int(sim + 1e-9)]
            add("street address " + _HUNDREDTHS[int(sim + 1e-9)])
    if a._city_c and b._city_c:
        if a._city_c == b._city_c:
            locality_w += _CITY_W[100]
            add("same city")
        else:
            index = _hundredths(jw(a._city_c, b._city_c))
            locality_w += _CITY_W[index]
            add("city " + _HUNDREDTHS[index])
    if a.postcode and b.postcode:
        if a.postcode == b.postcode:
            locality_w += W_POSTCODE_SAME
            add("same postcode")
        elif OSA.distance(a.postcode, b.postcode, score_cutoff=1) <= 1:
            locality_w += W_POSTCODE_NEAR
            add("postcode one character apart")
        else:
            locality_w += W_POSTCODE_DIFF
            add("different postcode")
    # City and postcode come with the street: they confirm one address rather than add
    # evidence of their own.
    if street_w > 0 and locality_w > 0:
        locality_w *= LOCALITY_SHARE_WITH_STREET
    # A household shares the family name, the address and often an e-mail or a landline, so
    # there a shared family name with another given name tells nothing: it is what a spouse or
    # a child looks like.
    family_evidence = family_w
    if family_w > 0 and given_w < 0 and not swapped and (street_w > 0 or shared_contact):
        family_w *= FAMILY_SHARE_IN_HOUSEHOLD
        # The shared e-mail or phone is the household's, not this person's.
        ident_w -= contact_w
        add("another given name in one household")
    address_w = street_w + locality_w

    weight = ident_w + given_w + family_w + dob_w + address_w
    # One kind of evidence alone, however strong, is not enough: two John Smiths, two people
    # at one address, a shared family e-mail. The pair needs a second, independent kind.
    if weight >= PROBABLE_WEIGHT:
        kinds = (
            (ident_w > 0)
            + (max(given_w, 0.0) + max(family_evidence, 0.0) >= NAME_EVIDENCE)
            + (dob_w >= DOB_EVIDENCE)
            + (address_w >= ADDRESS_EVIDENCE)
        )
        if kinds < 2:
            weight = PROBABLE_WEIGHT - 1.0
            add("only one kind of evidence")
    score = 1.0 / (1.0 + 2.0 ** ((PROBABLE_WEIGHT - weight) / SCORE_SCALE))

    if same_nid:
        # The same document number proves one person, unless name and birth date both say
        # otherwise: then one of the two records carries a mistyped or borrowed number.
        exact = not (dob_w < 0 and given_w + family_w < 0)
    else:
        exact = shared_contact and both_names and g_sim >= 0.88 and f_sim >= 0.88 and dob_w >= 0
    if exact:
        decision: Decision = "exact"
    elif score >= PROBABLE_THRESHOLD:
        decision = "probable"
    else:
        decision = "unlikely"
    return Match(score, reasons, decision)


def candidate_pairs(
    profiles: Iterable[IdentityProfile], *, max_block_size: int = MAX_BLOCK_SIZE
) -> set[tuple[int, int]]:
    """Pairs of party ids (lower first) worth comparing, in memory, by the rule the database
    scan follows (``members_worth_comparing``)."""
    keys_of: dict[int, set[tuple[str, str]]] = {}
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for profile in profiles:
        if profile.party_id is None:
            raise ValueError("candidate_pairs needs profiles with a party_id")
        keys_of[profile.party_id] = blocking_keys(profile)
        for key in keys_of[profile.party_id]:
            blocks[key].append(profile.party_id)
    pairs: set[tuple[int, int]] = set()
    for party_id, keys in keys_of.items():
        others = members_worth_comparing(keys, blocks, max_block_size=max_block_size)
        pairs.update((party_id, other) for other in others if other > party_id)
    return pairs


def score_pairs(
    profiles_by_id: Mapping[int, IdentityProfile], pairs: Iterable[tuple[int, int]]
) -> Iterator[tuple[int, int, Match]]:
    for id_a, id_b in pairs:
        yield id_a, id_b, score_pair(profiles_by_id[id_a], profiles_by_id[id_b])
