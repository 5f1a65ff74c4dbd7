"""Finding the customer someone already is: identity keys, candidate search, the check of a change.

Every party carries blocking keys (normalised e-mails and phones from all its contact media,
national id, name, birth date and postcode keys) in ``IdentityKey``. A search joins on those keys
to fetch the few parties worth comparing, then scores each pair with
``customers.identity.matching``. Many parties at once (the scan, an imported file) are paired
in ``pairs``.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from crm.bulk import bulk_copy
from crm.sealed import lookup_digest
from customers.identity.matching import (
    MAX_BLOCK_SIZE,
    IdentityProfile,
    Match,
    blocking_keys,
    members_worth_comparing,
    score_pair,
)
from customers.identity.models import DuplicateCandidate, IdentityKey
from customers.identity_rules import DuplicateFound
from customers.models import ContactMedium, Customer, Party
from customers.normalization import national_id_normalise, normalize_phone
from customers.services.audit import PartnerActor

# A key shared by more parties than this says little about identity (a common name with a
# common birth year, a shared office switchboard …); it is skipped rather than compared.
BLOCK_CAP = MAX_BLOCK_SIZE


@dataclass(frozen=True)
class CandidateMatch:
    customer: Customer
    match: Match

    @property
    def is_exact(self) -> bool:
        return self.match.decision == "exact"


def party_profiles(party_ids: Iterable[int]) -> dict[int, IdentityProfile]:
    """Identity profiles of the given parties, in two queries whatever their number."""
    ids = list(party_ids)
    if not ids:
        return {}
    media: dict[int, dict] = defaultdict(lambda: {"emails": [], "phones": [], "address": None})
    rows = ContactMedium.objects.filter(party_id__in=ids).values_list(
        "party_id", "kind", "value", "street", "city", "postcode", "is_preferred"
    )
    for party_id, kind, value, street, city, postcode, is_preferred in rows:
        entry = media[party_id]
        if kind == ContactMedium.Kind.EMAIL:
            entry["emails"].append(value)
        elif kind in (ContactMedium.Kind.PHONE, ContactMedium.Kind.MOBILE):
            entry["phones"].append(value)
        elif kind == ContactMedium.Kind.POSTAL and (entry["address"] is None or is_preferred):
            entry["address"] = (street, city, postcode)
    profiles = {}
    parties = Party.objects.filter(pk__in=ids).values_list(
        "pk",
        "kind",
        "given_name",
        "family_name",
        "legal_name",
        "birth_date",
        "national_id",
        "registration_number",
    )
    for pk, kind, given, family, legal, birth_date, national_id, registration in parties:
        entry = media[pk]
        street, city, postcode = entry["address"] or ("", "", "")
        organisation = kind == Party.Kind.ORGANIZATION
        profiles[pk] = IdentityProfile.build(
            party_id=pk,
            given_name="" if organisation else given,
            family_name=legal if organisation else family,
            birth_date=None if organisation else birth_date,
            national_id=registration if organisation else national_id,
            emails=entry["emails"],
            phones=entry["phones"],
            street=street,
            city=city,
            postcode=postcode,
        )
    return profiles


def identity_keys_refresh(*, party_ids: Iterable[int]) -> int:
    """Recompute the blocking keys of these parties; returns how many keys they now have."""
    return _identity_keys_write(party_profiles(party_ids))


def _identity_keys_write(profiles: dict[int, IdentityProfile]) -> int:
    with transaction.atomic():
        IdentityKey.objects.filter(party_id__in=list(profiles)).delete()
        return bulk_copy(
            IdentityKey,
            ("party_id", "kind", "value"),
            (
                (pk, kind, value)
                for pk, profile in profiles.items()
                for kind, value in blocking_keys(profile)
            ),
        )


def national_id_digests_refresh(*, party_ids: list[int]) -> int:
    """Hash these parties' national ids again under CRM_LOOKUP_KEY where the stored hash
    differs (after the key changed); how many were rewritten."""
    stale = []
    for pk, national_id, digest in Party.objects.filter(pk__in=party_ids).values_list(
        "pk", "national_id", "national_id_digest"
    ):
        fresh = lookup_digest(national_id_normalise(national_id or ""))
        if fresh != digest:
            stale.append(Party(pk=pk, national_id_digest=fresh))
    Party.objects.bulk_update(stale, ["national_id_digest"], batch_size=2000)
    return len(stale)


def identity_keys_rebuild(
    *,
    batch_size: int = 5000,
    after_party_id: int = 0,
    up_to_party_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute the keys of every party that is a live customer, in id-ordered batches.

    ``after_party_id`` and ``up_to_party_id`` limit the work to an id range, e.g. the parties a
    bulk load added, or one worker's share.
    """
    live = Party.objects.exclude(customer__status=Customer.Status.MERGED).filter(
        pk__gt=after_party_id
    )
    if up_to_party_id is not None:
        live = live.filter(pk__lte=up_to_party_id)
    total = live.count()
    done = written = 0
    last_id = after_party_id
    while True:
        ids = list(
            live.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        written += identity_keys_refresh(party_ids=ids)
        national_id_digests_refresh(party_ids=ids)
        done += len(ids)
        last_id = ids[-1]
        if progress:
            progress(done, total)
    return written


def key_members(
    keys: Iterable[tuple[str, str]], *, selective_only: bool = False
) -> dict[tuple[str, str], list[int]]:
    """The parties holding each key, at most BLOCK_CAP + 1 per key: one query for the keys of
    a record, one per 2,000 keys of a kind for a batch.

    That many are enough to tell that a common key (a popular name in a big city) is not worth
    comparing, and stopping there keeps a lookup from reading the thousands of parties that
    share such a key.

    ``selective_only`` leaves out the keys held by more than BLOCK_CAP parties, which count
    for nothing in ``parties_worth_comparing``: an import batch then fetches the few holders
    of its selective keys, not 51 rows for each common name and city it holds.
    """
    keys = sorted(set(keys))
    table = IdentityKey._meta.db_table
    members: dict[tuple[str, str], list[int]] = defaultdict(list)
    if not keys:
        return members
    if len(keys) <= 100:
        # The keys of one record (a create, an edit): one query.
        parts, params = [], []
        for kind, value in keys:
            parts.append(
                f"SELECT * FROM (SELECT party_id, kind, value FROM {table} "
                "WHERE kind = %s AND value = %s LIMIT %s) AS block"
            )
            params.extend([kind, value, BLOCK_CAP + 1])
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            for party_id, kind, value in cursor.fetchall():
                members[(kind, value)].append(party_id)
        return _selective(members) if selective_only else members
    values_by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, value in keys:
        values_by_kind[kind].append(value)
    with connection.cursor() as cursor:
        for kind, values in sorted(values_by_kind.items()):
            for start in range(0, len(values), 2000):
                chunk = values[start : start + 2000]
                if connection.vendor == "postgresql":
                    # A block over the cap is counted in the index and not sent.
                    held_at_most = BLOCK_CAP if selective_only else BLOCK_CAP + 1
                    cursor.execute(
                        f"""SELECT keyed.value, member.party_id
                            FROM unnest(%s::text[]) AS keyed(value)
                            CROSS JOIN LATERAL (
                                SELECT party_id, COUNT(*) OVER () AS held FROM (
                                    SELECT party_id FROM {table}
                                    WHERE kind = %s AND value = keyed.value LIMIT %s
                                ) AS block
                            ) AS member
                            WHERE member.held <= %s""",
                        [chunk, kind, BLOCK_CAP + 1, held_at_most],
                    )
                else:
                    placeholders = ", ".join(["%s"] * len(chunk))
                    cursor.execute(
                        f"""SELECT value, party_id FROM (
                                SELECT party_id, value, ROW_NUMBER() OVER (
                                    PARTITION BY value ORDER BY party_id) AS n
                                FROM {table} WHERE kind = %s AND value IN ({placeholders})
                            ) AS keyed WHERE n <= %s""",
                        [kind, *chunk, BLOCK_CAP + 1],
                    )
                for value, party_id in cursor.fetchall():
                    members[(kind, value)].append(party_id)
    return _selective(members) if selective_only else members


def _selective(members: dict[tuple[str, str], list[int]]) -> dict[tuple[str, str], list[int]]:
    return defaultdict(list, {key: held for key, held in members.items() if len(held) <= BLOCK_CAP})


def parties_worth_comparing(
    keys: set[tuple[str, str]], members: dict[tuple[str, str], list[int]]
) -> set[int]:
    """The parties sharing enough of ``keys`` to be compared: the one rule of
    ``customers.identity.matching.members_worth_comparing``, with this module's block cap."""
    return members_worth_comparing(keys, members, max_block_size=BLOCK_CAP)


def _parties_sharing_keys(keys: set[tuple[str, str]], exclude: set[int]) -> set[int]:
    """Parties worth comparing with a record that has ``keys``."""
    if not keys:
        return set()
    return parties_worth_comparing(keys, key_members(keys)) - exclude


def candidates_for_profile(
    profile: IdentityProfile, *, exclude_party_ids: Iterable[int] = (), limit: int = 10
) -> list[CandidateMatch]:
    """Customers who may be the person described by ``profile``, best match first."""
    party_ids = _parties_sharing_keys(blocking_keys(profile), set(exclude_party_ids))
    if profile.party_id is not None:
        party_ids.discard(profile.party_id)
    scored = []
    for pk, other in party_profiles(party_ids).items():
        match = score_pair(profile, other)
        if match.decision != "unlikely":
            scored.append((pk, match))
    scored.sort(key=lambda item: item[1].score, reverse=True)
    customers = (
        Customer.objects.select_related("party")
        .exclude(status=Customer.Status.MERGED)
        .in_bulk([pk for pk, _ in scored], field_name="party_id")
    )
    return [
        CandidateMatch(customer=customers[pk], match=match)
        for pk, match in scored
        if pk in customers
    ][:limit]


def duplicate_pair_record(
    *,
    first: Customer,
    second: Customer,
    match: Match,
    source: str,
    status: str = "open",
    actor=None,
) -> DuplicateCandidate:
    """Store a pair once (lower id first); a pair already decided keeps its decision."""
    low, high = sorted((first, second), key=lambda c: c.pk)
    now = timezone.now()
    candidate, created = DuplicateCandidate.objects.get_or_create(
        customer_low=low,
        customer_high=high,
        defaults={
            "score": match.score,
            "reasons": list(match.reasons),
            "source": source,
            "status": status,
            "found_at": now,
            "decided_by": actor if getattr(actor, "pk", None) and status != "open" else None,
            "decided_at": now if status != "open" else None,
        },
    )
    if not created and candidate.status == DuplicateCandidate.Status.OPEN and status != "open":
        candidate.status = status
        candidate.decided_by = actor if getattr(actor, "pk", None) else None
        candidate.decided_at = now
        candidate.save()
    return candidate


def profile_from_input(party_input) -> IdentityProfile:
    """The identity profile of a party that does not exist yet (a create form, an import row)."""
    emails, phones, address = [], [], ("", "", "")
    for medium in party_input.contact_media:
        if medium.kind == ContactMedium.Kind.EMAIL:
            emails.append(medium.value)
        elif medium.kind in (ContactMedium.Kind.PHONE, ContactMedium.Kind.MOBILE):
            phones.append(_phone_as_stored(medium))
        elif medium.kind == ContactMedium.Kind.POSTAL and (not any(address) or medium.is_preferred):
            # The same choice party_profiles makes for a stored party: the preferred address.
            address = (medium.street, medium.city, medium.postcode)
    organisation = party_input.kind == Party.Kind.ORGANIZATION
    return IdentityProfile.build(
        party_id=None,
        given_name="" if organisation else party_input.given_name,
        family_name=party_input.legal_name if organisation else party_input.family_name,
        birth_date=None if organisation else party_input.birth_date,
        national_id=party_input.registration_number if organisation else party_input.national_id,
        emails=emails,
        phones=phones,
        street=address[0],
        city=address[1],
        postcode=address[2],
    )


def _phone_as_stored(medium) -> str:
    """The number as contact_medium_add stores it: a national form is read in its own country."""
    try:
        return normalize_phone(medium.value, region=medium.country or None)
    except ValidationError:
        return medium.value


def certainly_same(
    profile: IdentityProfile, other: IdentityProfile, *, verified: Iterable[str]
) -> bool:
    """Whether two records worth comparing are certainly one person: the same national id, or
    an e-mail or phone of ``profile`` that the other has verified (``verified``: the other's
    verified values)."""
    if profile.national_id and profile.national_id == other.national_id:
        return True
    return bool(set(verified) & (set(profile.emails) | set(profile.phones)))


def _proven_identical(profile: IdentityProfile, matches: list[CandidateMatch]) -> set[int]:
    """Customers that are certainly this person (``certainly_same``)."""
    verified: dict[int, set[str]] = defaultdict(set)
    shared = set(profile.emails) | set(profile.phones)
    if shared:
        for pk, value in ContactMedium.objects.filter(
            is_verified=True,
            value__in=shared,
            party__customer__pk__in=[m.customer.pk for m in matches],
        ).values_list("party__customer__pk", "value"):
            verified[pk].add(value)
    return {
        m.customer.pk
        for m in matches
        if certainly_same(
            profile,
            IdentityProfile.build(
                party_id=m.customer.party_id, national_id=_national_id_raw(m.customer.party)
            ),
            verified=verified[m.customer.pk],
        )
    }


def _national_id_raw(party: Party) -> str:
    return party.registration_number if party.kind == Party.Kind.ORGANIZATION else party.national_id


def duplicates_check(
    party_input, *, confirmed_distinct: Iterable[int] = ()
) -> list[CandidateMatch]:
    """Refuse a new customer who already exists; returns the matches the user set aside.

    Raises DuplicateFound when a customer is certainly the same person (never creatable), or
    when probable matches exist that the user has not yet confirmed to be different people.
    """
    profile = profile_from_input(party_input)
    matches = candidates_for_profile(profile)
    if not matches:
        return []
    proven = _proven_identical(profile, matches)
    if proven:
        exact = [m for m in matches if m.customer.pk in proven]
        existing = exact[0].customer
        raise DuplicateFound(
            f"{existing.party.display_name} is already customer {existing.number} "
            f"({existing.get_status_display().lower()}): "
            + ", ".join(exact[0].match.reasons)
            + ". Open that customer instead of creating a new one.",
            matches=exact,
            exact=True,
        )
    confirmed = set(confirmed_distinct)
    unconfirmed = [m for m in matches if m.customer.pk not in confirmed]
    if unconfirmed:
        raise DuplicateFound(
            f"{len(unconfirmed)} existing customer(s) may be this person. Check them, then "
            "open the existing customer or confirm this is someone else.",
            matches=unconfirmed,
            exact=False,
        )
    return matches


def identity_keys_of(*, party_id: int) -> set[tuple[str, str]]:
    """The keys stored for a party: what it could be matched on before a change."""
    return set(IdentityKey.objects.filter(party_id=party_id).values_list("kind", "value"))


def duplicates_check_change(
    *, customer: Customer, keys_before: set[tuple[str, str]], actor, source: str
) -> list[CandidateMatch]:
    """Judge a change to ``customer``'s identity data (a profile edit, a contact medium added
    or changed) by the rules of a create, then store the party's new keys.

    Only customers the change brings into reach are judged: those sharing a key the party did
    not hold before; older pairs are the scan's, or were decided already. A customer certainly
    the same person (same national id, or a contact the other has verified, with a match worth
    a look) refuses the change with DuplicateFound, unless staff decided the two are different
    people. Probable matches go to the review queue, as does anyone who has verified a contact
    this customer now claims: such a change never saves silently.
    """
    party_id = customer.party_id
    profiles = party_profiles([party_id])
    profile = profiles[party_id]
    keys = blocking_keys(profile)
    new_keys = keys - keys_before
    found: list[CandidateMatch] = []
    if new_keys:
        members = key_members(keys)
        reached = {pk for key in new_keys for pk in members.get(key, ())}
        comparable = (parties_worth_comparing(keys, members) & reached) - {party_id}
        found = _judge_change(customer, profile, comparable, actor=actor, source=source)
    _identity_keys_write(profiles)
    return found


def _judge_change(
    customer: Customer, profile: IdentityProfile, party_ids: set[int], *, actor, source: str
) -> list[CandidateMatch]:
    others = party_profiles(party_ids)
    customers = (
        Customer.objects.select_related("party")
        .exclude(status=Customer.Status.MERGED)
        .in_bulk(list(others), field_name="party_id")
    )
    scored = [
        CandidateMatch(customer=customers[pk], match=score_pair(profile, other))
        for pk, other in others.items()
        if pk in customers
    ]
    if not scored:
        return []
    scored.sort(key=lambda m: m.match.score, reverse=True)
    distinct = _decided_distinct(customer, [m.customer.pk for m in scored])
    matches = [m for m in scored if m.match.decision != "unlikely"]
    proven = _proven_identical(profile, matches) - distinct
    exact = [m for m in matches if m.customer.pk in proven]
    if exact:
        existing = exact[0].customer
        raise DuplicateFound(
            f"{existing.party.display_name} is already customer {existing.number} "
            f"({existing.get_status_display().lower()}): "
            + ", ".join(exact[0].match.reasons)
            + f". {customer.number} cannot become the same person; open {existing.number} "
            "instead, or merge the two.",
            matches=exact,
            exact=True,
        )
    claimed = _verified_by_others(profile, [m for m in scored if m not in matches])
    queued = [
        m
        for m in [*matches, *claimed]
        if m.customer.pk not in distinct and m.customer.partner_id == customer.partner_id
    ]
    for candidate in queued:
        duplicate_pair_record(
            first=customer,
            second=candidate.customer,
            match=candidate.match,
            source=source,
            actor=actor,
        )
    return queued


def _decided_distinct(customer: Customer, others: list[int]) -> set[int]:
    """Customers staff already decided are not ``customer``."""
    pairs = DuplicateCandidate.objects.filter(
        status=DuplicateCandidate.Status.NOT_DUPLICATE
    ).filter(
        Q(customer_low=customer, customer_high__in=others)
        | Q(customer_high=customer, customer_low__in=others)
    )
    return {
        high if low == customer.pk else low
        for low, high in pairs.values_list("customer_low_id", "customer_high_id")
    }


def _verified_by_others(
    profile: IdentityProfile, matches: list[CandidateMatch]
) -> list[CandidateMatch]:
    """Of these (unlikely) matches, those who have verified an e-mail or phone of ``profile``:
    a household may share one, so it is queued for a look rather than refused."""
    shared = set(profile.emails) | set(profile.phones)
    if not shared or not matches:
        return []
    verified = set(
        Customer.objects.filter(
            party__contact_media__is_verified=True,
            party__contact_media__value__in=shared,
            pk__in=[m.customer.pk for m in matches],
        ).values_list("pk", flat=True)
    )
    return [m for m in matches if m.customer.pk in verified]


def duplicates_judge_change(
    *, customer: Customer, keys_before: set[tuple[str, str]], actor
) -> list[CandidateMatch]:
    """Judge a change to ``customer``'s identity data, as the core's identity seam asks."""
    source = (
        DuplicateCandidate.Source.API
        if isinstance(actor, PartnerActor)
        else DuplicateCandidate.Source.CREATE
    )
    return duplicates_check_change(
        customer=customer, keys_before=keys_before, actor=actor, source=source
    )
