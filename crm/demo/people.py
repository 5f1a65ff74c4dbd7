"""Who the customers of a block are: individuals and organisations, households, names,
addresses and identity numbers; their party, contact and relationship rows."""

import numpy as np

from crm.sealed import encrypt, lookup_digest
from customers.models import ContactMedium, CustomerRelationship, Party
from customers.normalization import national_id_normalise, postal_one_line

from .arrays import (
    blanks,
    bool_texts,
    constant,
    draw,
    int_texts,
    nullable,
    nulls,
    object_array,
    pick,
)
from .context import DAY, Segment
from .countries import COUNTRIES, Country
from .names import (
    COMPANY_WORDS,
    EMAIL_DOMAINS,
    INDUSTRIES,
    ORG_MAILBOXES,
    TITLES_FEMALE,
    TITLES_FEMALE_P,
    TITLES_MALE,
    TITLES_MALE_P,
    ascii_key,
    derived_names,
    fill_template,
    national_ids,
    registration_numbers,
)


def _encrypted(column: np.ndarray) -> np.ndarray:
    return object_array([encrypt(v) if v else v for v in column.tolist()])


class PeopleRows:
    """Who they are: individuals, organisations, households and addresses, and
    the party, contact and relationship rows."""

    def _people(self):
        rng, n = self.rng, self.n
        self.is_org = rng.random(n) < 0.10
        individual = ~self.is_org
        org_segment = np.array([Segment.SMALL_BUSINESS, Segment.ENTERPRISE, Segment.WHOLESALE])
        self.segment = np.where(
            self.is_org,
            org_segment[pick(rng, org_segment, n, (0.70, 0.25, 0.05))],
            np.where(rng.random(n) < 0.04, Segment.SMALL_BUSINESS, Segment.RESIDENTIAL),
        ).astype(object)
        self.business = self.segment != Segment.RESIDENTIAL
        self.large = (self.segment == Segment.ENTERPRISE) | (self.segment == Segment.WHOLESALE)
        self.country = pick(rng, COUNTRIES, n, [c.weight for c in COUNTRIES])
        self.female = rng.random(n) < 0.51

        # Some people share a household with an earlier person of the block: the same family
        # name and address, and a relationship row between them.
        follower = individual & (rng.random(n) < 0.07)
        heads = np.flatnonzero(individual & ~follower)
        heads_before = np.searchsorted(heads, np.arange(n))
        follower &= heads_before > 0
        self.household_head = np.full(n, -1)
        followers = np.flatnonzero(follower)
        if followers.size:
            chosen = (rng.random(followers.size) * heads_before[followers]).astype(np.int64)
            self.household_head[followers] = heads[chosen]
            self.country[followers] = self.country[heads[chosen]]

        self.given, self.family, self.title = blanks(n), blanks(n), blanks(n)
        self.legal, self.trading = blanks(n), blanks(n)
        for c, country in enumerate(COUNTRIES):
            mine = self.country == c
            people = np.flatnonzero(mine & individual)
            women = people[self.female[people]]
            men = people[~self.female[people]]
            self.given[women] = draw(rng, country.given_female, women.size)
            self.given[men] = draw(rng, country.given_male, men.size)
            self.family[people] = draw(rng, country.family, people.size)
            if country.language == "en":
                self.title[women] = object_array(TITLES_FEMALE)[
                    pick(rng, TITLES_FEMALE, women.size, TITLES_FEMALE_P)
                ]
                self.title[men] = object_array(TITLES_MALE)[
                    pick(rng, TITLES_MALE, men.size, TITLES_MALE_P)
                ]
            self._name_organisations(np.flatnonzero(mine & self.is_org), country)
        self.family[followers] = self.family[self.household_head[followers]]

    def _name_organisations(self, rows: np.ndarray, country: Country):
        rng, k = self.rng, rows.size
        if not k:
            return
        words = draw(rng, COMPANY_WORDS, k)
        trades = draw(rng, INDUSTRIES, k)
        founders = draw(rng, country.family, k)
        partners = draw(rng, country.family, k)
        cities = draw(rng, [city for city, _ in country.cities], k)
        suffixes = draw(rng, country.company_suffixes, k)
        pattern = pick(rng, range(4), k, (0.5, 0.2, 0.12, 0.18)).tolist()
        brand = rng.random(k).tolist()
        legal, trading = [], []
        for i in range(k):
            core = (
                f"{words[i]} {trades[i]}",
                f"{founders[i]} {trades[i]}",
                f"{founders[i]} & {partners[i]}",
                f"{cities[i]} {trades[i]}",
            )[pattern[i]]
            legal.append(f"{core} {suffixes[i]}")
            if brand[i] < 0.35:
                trading.append(core)
            elif brand[i] < 0.45:
                trading.append(f"{words[i]}{trades[i].split()[0].lower()}")
            else:
                trading.append("")
        self.legal[rows] = legal
        self.trading[rows] = trading

    def _addresses(self):
        rng, n = self.rng, self.n
        self.street, self.city, self.postcode = blanks(n), blanks(n), blanks(n)
        for c, country in enumerate(COUNTRIES):
            rows = np.flatnonzero(self.country == c)
            if not rows.size:
                continue
            streets = draw(rng, country.streets, rows.size)
            numbers = rng.integers(1, 180, rows.size).tolist()
            if country.house_number_first:
                self.street[rows] = [f"{h} {s}" for h, s in zip(numbers, streets, strict=True)]
            else:
                self.street[rows] = [f"{s} {h}" for h, s in zip(numbers, streets, strict=True)]
            city = rng.integers(0, len(country.cities), rows.size)
            self.city[rows] = object_array([name for name, _ in country.cities])[city]
            choice = rng.random(rows.size).tolist()
            prefixes = [
                country.cities[ci][1][int(u * len(country.cities[ci][1]))]
                for ci, u in zip(city.tolist(), choice, strict=True)
            ]
            tails = fill_template(rng, country.postcode_tail, rows.size)
            self.postcode[rows] = [p + t for p, t in zip(prefixes, tails, strict=True)]
        followers = np.flatnonzero(self.household_head >= 0)
        heads = self.household_head[followers]
        for column in (self.street, self.city, self.postcode):
            column[followers] = column[heads]

    def _party_rows(self):
        rng, n, text = self.rng, self.n, self.ctx.text
        individual = ~self.is_org
        national, registration = blanks(n), blanks(n)
        has_id = individual & (rng.random(n) < 0.75)
        for c, country in enumerate(COUNTRIES):
            people = np.flatnonzero((self.country == c) & has_id)
            national[people] = national_ids(country.code, self.unique[people], rng)
            orgs = np.flatnonzero((self.country == c) & self.is_org)
            registration[orgs] = registration_numbers(country.code, self.unique[orgs])
        kinds = np.where(self.is_org, Party.Kind.ORGANIZATION, Party.Kind.INDIVIDUAL).astype(object)
        columns = {
            "id": int_texts(self.ids.party),
            "kind": kinds,
            "title": self.title,
            "given_name": self.given,
            "family_name": self.family,
            # Stored as the services store them: encrypted, the national id with its keyed hash.
            "birth_date": _encrypted(nullable(text.dates(self.birth_day), individual)),
            "national_id": _encrypted(national),
            "national_id_digest": object_array(
                [lookup_digest(national_id_normalise(v)) for v in national.tolist()]
            ),
            "legal_name": self.legal,
            "trading_name": self.trading,
            "registration_number": registration,
        }
        # The display name and search keys come from the same function the services use.
        derived: dict[str, list] = {}
        names = zip(kinds, self.given, self.family, self.legal, self.trading, strict=True)
        for name in names:
            for field, value in derived_names(*name):
                derived.setdefault(field, []).append(value)
        for field, values in derived.items():
            columns[field] = object_array(values)
        self.display_name = columns["display_name"]
        stamps = text.stamps(self.created)
        columns["created_at"] = stamps
        columns["updated_at"] = stamps
        self.out[Party] = columns

    def _contact_rows(self):
        rng, n, text = self.rng, self.n, self.ctx.text
        serials = self.ids.serial.tolist()
        domains = draw(rng, EMAIL_DOMAINS, n)
        mailboxes = draw(rng, ORG_MAILBOXES, n)
        style = rng.integers(0, 3, n).tolist()
        emails, slugs, work = [], [], []
        for i in range(n):
            if self.is_org[i]:
                words = [ascii_key(w) for w in (self.trading[i] or self.legal[i]).split()[:2]]
                slug = "-".join(w for w in words if w)[:40] or "company"
                slugs.append(slug)
                emails.append(f"{mailboxes[i]}.{serials[i]}@{slug}.example.com")
                work.append("")
                continue
            given, family = ascii_key(self.given[i]), ascii_key(self.family[i])
            local = (
                f"{given}.{family}.{serials[i]}",
                f"{given[:1]}{family}{serials[i]}",
                f"{family}.{given}{serials[i]}",
            )[style[i]]
            emails.append(f"{local}@{domains[i]}")
            slugs.append("")
            work.append(f"{given}.{family}.{serials[i]}@work.example.net")
        self.emails = emails

        mobile = blanks(n)
        for c, country in enumerate(COUNTRIES):
            rows = np.flatnonzero(self.country == c)
            prefix = draw(rng, country.mobile_prefixes, rows.size)
            width = country.mobile_random_digits
            extra = rng.integers(0, 10**width, rows.size).tolist()
            mobile[rows] = [
                f"{p}{e:0{width}d}{u:07d}" if width else f"{p}{u:07d}"
                for p, e, u in zip(prefix, extra, self.unique[rows].tolist(), strict=True)
            ]
        self.mobile = mobile

        countries = object_array([c.code for c in COUNTRIES])[self.country]
        postal = [
            postal_one_line(street=s, postcode=p, city=c, country=cc)
            for s, p, c, cc in zip(self.street, self.postcode, self.city, countries, strict=True)
        ]
        everyone = np.arange(n)
        work_rows = np.flatnonzero(~self.is_org & (rng.random(n) < 0.15))
        web_rows = np.flatnonzero(self.is_org & (rng.random(n) < 0.5))
        Kind = ContactMedium.Kind
        # (owners, kind, values, labels, preferred, share verified)
        media = (
            (everyone, Kind.EMAIL, object_array(emails),
             np.where(self.is_org, "office", "personal"), True, 0.7),
            (everyone, Kind.MOBILE, mobile, np.where(self.is_org, "main", "personal"), True, 0.6),
            (everyone, Kind.POSTAL, object_array(postal),
             np.where(self.is_org, "registered office", "home"), True, 0.5),
            (work_rows, Kind.EMAIL, object_array(work)[work_rows], constant("work", n), False, 0.4),
            (web_rows, Kind.WEB,
             object_array(f"https://www.{slugs[i]}.example.com" for i in web_rows),
             constant("website", n), False, 0.0),
        )  # fmt: skip
        owner = np.concatenate([m[0] for m in media])
        total = owner.size
        columns = {
            "party_id": int_texts(self.ids.party[owner]),
            "kind": np.concatenate([constant(m[1], m[0].size) for m in media]),
            "value": np.concatenate([m[2] for m in media]),
            "label": np.concatenate([m[3][m[0]].astype(object) if m[0] is not everyone
                                     else m[3].astype(object) for m in media]),
            "street": blanks(total),
            "city": blanks(total),
            "postcode": blanks(total),
            "country": blanks(total),
            "is_preferred": np.concatenate([constant("1" if m[4] else "0", m[0].size)
                                            for m in media]),
            "is_verified": np.concatenate([bool_texts(rng.random(m[0].size) < m[5])
                                           for m in media]),
            "valid_from": text.dates(self.created[owner] // DAY),
            "valid_to": nulls(total),
            "created_at": text.stamps(self.created[owner]),
        }  # fmt: skip
        postal_rows = slice(2 * n, 3 * n)
        columns["street"][postal_rows] = self.street
        columns["city"][postal_rows] = self.city
        columns["postcode"][postal_rows] = object_array(p.strip().upper() for p in self.postcode)
        columns["country"][postal_rows] = countries
        self.out[ContactMedium] = columns

    def _relationship_rows(self):
        rng, n, text = self.rng, self.n, self.ctx.text
        followers = np.flatnonzero(self.household_head >= 0)
        referred = np.flatnonzero(self.referrer >= 0)
        people = np.flatnonzero(~self.is_org)
        with_contact = np.flatnonzero(self.is_org & (rng.random(n) < 0.3))
        if not people.size:
            with_contact = with_contact[:0]
        contact = people[rng.integers(0, max(people.size, 1), with_contact.size)]
        Kind = CustomerRelationship.Kind
        source = np.concatenate([followers, referred, contact])
        target = np.concatenate(
            [self.household_head[followers], self.referrer[referred], with_contact]
        )
        kinds = np.concatenate([
            constant(Kind.HOUSEHOLD, followers.size),
            constant(Kind.REFERRED_BY, referred.size),
            constant(Kind.ORGANISATION_CONTACT, contact.size),
        ])  # fmt: skip
        self.out[CustomerRelationship] = {
            "from_customer_id": self.customer_text[source],
            "to_customer_id": self.customer_text[target],
            "kind": kinds,
            "created_at": text.stamps(
                np.maximum(self.created[source], self.created[target]) + 3600
            ),
        }
