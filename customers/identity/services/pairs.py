"""Pairs of parties worth a person's look, found among many parties at once: an id range of
the base for the background scan, the customers of an imported file for the import's last step.

Which pairs are compared is the one rule of ``matching.members_worth_comparing``, in SQL; the
pairs are then scored and stored for review as the check of one record would store them.
"""

from django.db import connection
from django.utils import timezone

from customers.identity.matching import (
    IDENTIFIER_EVIDENCE,
    IDENTIFIER_KEYS,
    OTHER_KEY_EVIDENCE,
    PAIR_EVIDENCE,
    score_pair,
)
from customers.identity.models import DuplicateCandidate, IdentityKey
from customers.identity.services import identity
from customers.models import Customer


def duplicates_find_in_party_range(*, first_party_id: int, last_party_id: int) -> tuple[int, int]:
    """Compare the parties of an id range with every party they share keys with.

    Returns the pairs compared and the pairs newly stored for review.
    """
    pairs = _candidate_pairs_in_range(first_party_id, last_party_id)
    return len(pairs), _score_and_store(pairs)


def duplicates_find_among_parties(
    groups: dict[int, list[int]], *, compare: set[tuple[int, int]], source: str
) -> int:
    """Compare parties with each other (the customers of one imported file, by the chunk that
    wrote them): those of groups a and b for each (a, b) in ``compare``, of one group with
    each other for (a, a). Returns the pairs newly stored for review, from ``source``.

    Elsewhere than on PostgreSQL every pair of the parties is looked at: more work for the
    same pairs, since a pair already stored is not stored or counted again."""
    party_ids = {party for parties in groups.values() for party in parties}
    if len(party_ids) < 2 or not compare:
        return 0
    if connection.vendor == "postgresql":
        pairs = _candidate_pairs_across(groups, compare)
    else:
        pairs = _candidate_pairs_among(party_ids)
    return _score_and_store(pairs, source=source)


def _evidence_sql(alias: str) -> tuple[str, list]:
    """The one rule's evidence of a shared key of ``alias`` (see
    ``matching.members_worth_comparing``), summed over a pair's keys, in SQL."""
    identifiers = ", ".join(["%s"] * len(IDENTIFIER_KEYS))
    sql = f"SUM(CASE WHEN {alias}.kind IN ({identifiers}) THEN %s ELSE %s END) >= %s"
    return sql, [*sorted(IDENTIFIER_KEYS), IDENTIFIER_EVIDENCE, OTHER_KEY_EVIDENCE, PAIR_EVIDENCE]


def _candidate_pairs_in_range(first_id: int, last_id: int) -> list[tuple[int, int]]:
    """Pairs (a, b), a in the range and a < b, worth scoring by the one rule
    (``matching.members_worth_comparing``): enough evidence from the keys they share, each
    held by at most ``identity.BLOCK_CAP`` parties (read at each call: one cap for the check of
    a record and for these)."""
    table = IdentityKey._meta.db_table
    evidence, evidence_params = _evidence_sql("a")
    sql = f"""
        SELECT a.party_id, b.party_id
        FROM {table} a
        JOIN {table} b ON b.kind = a.kind AND b.value = a.value AND b.party_id > a.party_id
        WHERE a.party_id BETWEEN %s AND %s
          AND (SELECT COUNT(*) FROM (
                SELECT 1 FROM {table} c WHERE c.kind = a.kind AND c.value = a.value LIMIT %s
              ) AS block) <= %s
        GROUP BY a.party_id, b.party_id
        HAVING {evidence}
    """
    params = [first_id, last_id, identity.BLOCK_CAP + 1, identity.BLOCK_CAP, *evidence_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _candidate_pairs_among(party_ids: set[int]) -> list[tuple[int, int]]:
    """Pairs (a, b) of ``party_ids``, a < b, worth scoring by the one rule, as
    ``_candidate_pairs_in_range`` finds them: only the keys two of these parties share are
    counted in the whole base."""
    table = IdentityKey._meta.db_table
    evidence, evidence_params = _evidence_sql("a")
    # Their id range, read through the key index: parties created meanwhile by others are
    # dropped from the pairs below.
    sql = f"""
        WITH own AS (
            SELECT kind, value, party_id FROM {table} WHERE party_id BETWEEN %s AND %s
        ), shared AS (
            SELECT kind, value FROM own GROUP BY kind, value HAVING COUNT(*) >= 2
        ), selective AS (
            SELECT s.kind, s.value FROM shared s
            WHERE (SELECT COUNT(*) FROM (
                SELECT 1 FROM {table} c WHERE c.kind = s.kind AND c.value = s.value LIMIT %s
            ) AS block) <= %s
        )
        SELECT a.party_id, b.party_id
        FROM own a
        JOIN selective k ON k.kind = a.kind AND k.value = a.value
        JOIN own b ON b.kind = a.kind AND b.value = a.value AND b.party_id > a.party_id
        GROUP BY a.party_id, b.party_id
        HAVING {evidence}
    """
    cap = identity.BLOCK_CAP
    params = [min(party_ids), max(party_ids), cap + 1, cap, *evidence_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(a, b) for a, b in cursor.fetchall() if a in party_ids and b in party_ids]


def _candidate_pairs_across(
    groups: dict[int, list[int]], compare: set[tuple[int, int]]
) -> list[tuple[int, int]]:
    """``_candidate_pairs_among``, for the pairs of parties whose groups are compared only:
    the keys are joined group to group, and only the keys such a pair shares are counted in
    the whole base."""
    table = IdentityKey._meta.db_table
    evidence, evidence_params = _evidence_sql("p")
    members = [(party, group) for group, parties in groups.items() for party in parties]
    sql = f"""
        WITH member AS (
            SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS m(party_id, grp)
        ), compared AS (
            SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS c(a, b)
        ), own AS (
            SELECT k.kind, k.value, k.party_id, m.grp
            FROM {table} k JOIN member m ON m.party_id = k.party_id
            WHERE k.party_id BETWEEN %s AND %s
        ), shared AS (
            -- A key more of these parties hold than the cap is held by as many in the base.
            SELECT kind, value FROM own GROUP BY kind, value HAVING COUNT(*) BETWEEN 2 AND %s
        ), held AS (
            SELECT own.* FROM own JOIN shared USING (kind, value)
        ), p AS MATERIALIZED (
            SELECT a.party_id AS low, b.party_id AS high, a.kind, a.value
            FROM held a
            JOIN held b ON b.kind = a.kind AND b.value = a.value AND b.party_id > a.party_id
            JOIN compared c ON c.a = LEAST(a.grp, b.grp) AND c.b = GREATEST(a.grp, b.grp)
        ), selective AS MATERIALIZED (
            SELECT kind, value FROM (SELECT DISTINCT kind, value FROM p) AS k
            WHERE (SELECT COUNT(*) FROM (
                SELECT 1 FROM {table} c WHERE c.kind = k.kind AND c.value = k.value LIMIT %s
            ) AS block) <= %s
        )
        SELECT p.low, p.high FROM p JOIN selective USING (kind, value)
        GROUP BY p.low, p.high
        HAVING {evidence}
    """
    params = [
        [party for party, _ in members],
        [group for _, group in members],
        [a for a, _ in compare],
        [b for _, b in compare],
        min(party for party, _ in members),
        max(party for party, _ in members),
        identity.BLOCK_CAP,
        identity.BLOCK_CAP + 1,
        identity.BLOCK_CAP,
        *evidence_params,
    ]
    with connection.cursor() as cursor:
        # The joins of a hundred thousand parties' keys stay in memory, and the plan is not
        # worth compiling.
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")
        # Its row counts are guessed low (arrays, a fresh file's keys): a nested loop over
        # them would be quadratic.
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute(sql, params)
        return cursor.fetchall()


def _score_and_store(
    pairs: list[tuple[int, int]], *, source: str = DuplicateCandidate.Source.SCAN
) -> int:
    if not pairs:
        return 0
    profiles = identity.party_profiles({pk for pair in pairs for pk in pair})
    matches = []
    for a, b in pairs:
        if a in profiles and b in profiles:
            match = score_pair(profiles[a], profiles[b])
            if match.decision != "unlikely":
                matches.append((a, b, match))
    if not matches:
        return 0
    customer_of = dict(
        Customer.objects.filter(party_id__in={pk for a, b, _ in matches for pk in (a, b)})
        .exclude(status=Customer.Status.MERGED)
        .values_list("party_id", "pk")
    )
    now = timezone.now()
    rows = []
    for a, b, match in matches:
        if a not in customer_of or b not in customer_of:
            continue
        low, high = sorted((customer_of[a], customer_of[b]))
        rows.append(
            DuplicateCandidate(
                customer_low_id=low,
                customer_high_id=high,
                score=match.score,
                reasons=list(match.reasons),
                source=source,
                found_at=now,
            )
        )
    # A pair already known (open, merged or "not a duplicate") is left exactly as it is.
    DuplicateCandidate.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return DuplicateCandidate.objects.filter(found_at=now, source=source).count()
