"""Names of people and organisations, the keys derived from them, postcodes and identity
numbers."""

import functools
from types import SimpleNamespace

import numpy as np

from customers.normalization import name_key
from customers.services.customers import party_names
from customers.services.numbers import luhn_check_digit

TAIL_ALPHABETS = {
    "#": "0123456789",
    "@": "ABDEFGHJLNPQRSTUWXYZ",  # letters used in UK inward codes
    "L": "ABCDEGHJKLMNPRTVWXZ",  # Dutch postcode letters
    "X": "ACDEFHKNPRTVWXY0123456789",  # Eircode characters
}

COMPANY_WORDS = (
    "Harbour", "Summit", "Nordic", "Atlas", "Bright", "Cedar", "Northgate", "Bluewater",
    "Evergreen", "Pioneer", "Riverside", "Keystone", "Silverline", "Oakfield", "Meridian",
    "Lighthouse", "Sterling", "Horizon", "Copperleaf", "Greenfield", "Falcon", "Orchid",
    "Granite", "Beacon", "Westbrook", "Crescent", "Alpine", "Zenith", "Lumen", "Vertex",
)  # fmt: skip
INDUSTRIES = (
    "Logistics", "Consulting", "Dental Care", "Bakery", "Engineering", "Software",
    "Properties", "Solicitors", "Motors", "Hotels", "Analytics", "Construction", "Design",
    "Pharmacy", "Accountants", "Catering", "Fitness", "Veterinary Clinic", "Print", "Energy",
    "Security", "Travel", "Recruitment", "Media", "Foods", "Electrical", "Plumbing", "Dairy",
)  # fmt: skip

TITLES_FEMALE = ("Ms", "Mrs", "Miss", "Dr", "")
TITLES_FEMALE_P = (0.42, 0.25, 0.06, 0.04, 0.23)
TITLES_MALE = ("Mr", "Dr", "")
TITLES_MALE_P = (0.72, 0.04, 0.24)

EMAIL_DOMAINS = (
    "example.com", "example.net", "example.org", "mail.example.com", "post.example.net",
    "inbox.example.org",
)  # fmt: skip
ORG_MAILBOXES = ("info", "accounts", "billing", "office", "admin", "contact")

_ASCII_FOLD = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d",
                             "þ": "th", "ı": "i", " ": "", "-": ""})  # fmt: skip  # noqa: RUF001


@functools.cache
def ascii_key(value: str) -> str:
    """The name as it can appear in an e-mail address or a domain."""
    return name_key(value).translate(_ASCII_FOLD)


@functools.lru_cache(maxsize=300_000)
def derived_names(
    kind: str, given: str, family: str, legal: str, trading: str
) -> tuple[tuple[str, str], ...]:
    """What ``party_names`` derives from a name: the display name and the search keys.

    Cached, because names repeat across a large base and deriving keys is the costliest step of
    generating a party. The identifiers it normalises are generated in normal form already.
    """
    party = SimpleNamespace(
        kind=kind,
        given_name=given,
        family_name=family,
        legal_name=legal,
        trading_name=trading,
        national_id="",
        registration_number="",
        birth_date=None,
    )
    inputs = set(vars(party))
    party_names(party)
    return tuple((name, value) for name, value in vars(party).items() if name not in inputs)


def fill_template(rng, template: str, n: int) -> list[str]:
    parts = []
    for char in template:
        alphabet = TAIL_ALPHABETS.get(char)
        if alphabet is None:
            parts.append([char] * n)
        else:
            letters = np.array(list(alphabet), dtype=object)
            parts.append(letters[rng.integers(0, len(alphabet), n)].tolist())
    return ["".join(chars) for chars in zip(*parts, strict=True)] if parts else [""] * n


# --- Identity numbers -----------------------------------------------------------------------


def _mod11_check(body: str) -> int:
    """Portuguese NIF/NIPC check digit."""
    total = sum(int(d) * w for d, w in zip(body, range(len(body) + 1, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check >= 10 else check


def national_ids(country: str, unique: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Plausible personal id numbers; ``unique`` keeps them distinct within a country."""
    values = unique.tolist()
    k = len(values)
    if country == "GB":  # National Insurance number
        prefixes = ("AB", "CE", "JG", "JK", "NH", "NR", "PX", "SC", "TL", "WK")
        suffix = rng.integers(0, 4, k).tolist()
        return [
            f"{prefixes[u // 10**6]}{u % 10**6:06d}{'ABCD'[s]}"
            for u, s in zip(values, suffix, strict=True)
        ]
    if country == "IE":  # PPS number with its check letter
        ids = []
        for u in values:
            digits = f"{u:07d}"
            total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True))
            ids.append(digits + "WABCDEFGHIJKLMNOPQRSTUV"[total % 23])
        return ids
    if country == "ES":  # DNI with its check letter
        return [f"{u:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[u % 23]}" for u in values]
    if country == "FR":  # social security number (NIR) with its key
        sex = rng.integers(1, 3, k).tolist()
        year = rng.integers(40, 100, k).tolist()
        month = rng.integers(1, 13, k).tolist()
        ids = []
        for u, s, y, m in zip(values, sex, year, month, strict=True):
            body = f"{s}{y:02d}{m:02d}{10 + u // 10**6:02d}{u % 10**6:06d}"
            ids.append(f"{body}{97 - int(body) % 97:02d}")
        return ids
    if country == "DE":  # tax identification number
        head = rng.integers(1000, 10000, k).tolist()
        return [f"{h}{u:07d}" for h, u in zip(head, values, strict=True)]
    if country == "NL":  # BSN, which passes the eleven test
        ids = []
        for u in values:
            body = f"1{u:07d}"
            total = sum(int(d) * w for d, w in zip(body, range(9, 1, -1), strict=True))
            if total % 11 == 10:
                body, total = "2" + body[1:], total + 9
            ids.append(f"{body}{total % 11}")
        return ids
    if country == "PT":  # NIF
        return [f"2{u:07d}{_mod11_check(f'2{u:07d}')}" for u in values]
    if country == "PL":  # identity card number
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        series = rng.integers(0, len(letters), (k, 2)).tolist()
        return [
            f"{letters[u // 10**6]}{letters[a]}{letters[b]}{u % 10**6:06d}"
            for u, (a, b) in zip(values, series, strict=True)
        ]
    if country == "IT":  # passport number
        return [
            f"Y{'ABCDEFGHJK'[u // 10**6]}{u % 10**6:06d}{d}"
            for u, d in zip(values, rng.integers(0, 10, k).tolist(), strict=True)
        ]
    return [f"{u:08d}" for u in values]  # passport number


def registration_numbers(country: str, unique: np.ndarray) -> list[str]:
    """Company register numbers in each country's usual form."""
    values = unique.tolist()
    if country == "GB":
        return [f"{u:08d}" for u in values]
    if country == "IE":
        return [f"{u:07d}" for u in values]
    if country == "DE":
        return [f"HRB {u}" for u in values]
    if country == "FR":  # SIREN with its Luhn digit
        return [f"8{u:07d}{luhn_check_digit(8 * 10**7 + u)}" for u in values]
    if country == "ES":
        return [f"B{u:07d}{luhn_check_digit(u)}" for u in values]
    if country == "IT":
        return [f"{u:07d}001{luhn_check_digit(u * 1000 + 1)}" for u in values]
    if country == "NL":
        return [f"6{u:07d}" for u in values]
    if country == "PT":
        return [f"5{u:07d}{_mod11_check(f'5{u:07d}')}" for u in values]
    if country == "PL":
        return [f"{u:010d}" for u in values]
    return [f"556{u // 10**4:03d}-{u % 10**4:04d}" for u in values]
