"""The one seam through which the customer core asks identity for its rules.

The core (parties, customers, contact media) knows that a write may make one customer another
one; identity (keys, matching, scans, merge, imports) knows how to tell. Core services call only
these functions, never the identity modules, so identity can move into an app of its own
without the core following it.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from customers.models import Customer, DuplicateCandidate
from customers.services.audit import PartnerActor
from customers.services.identity import (
    CandidateMatch,
    DuplicateFound,
    duplicate_pair_record,
    duplicates_check,
    duplicates_check_change,
    identity_keys_of,
    identity_keys_refresh,
)

__all__ = [
    "CandidateMatch",
    "DuplicateFound",
    "duplicate_pair_record",
    "duplicates_check",
    "identity_change",
    "identity_keys_refresh",
]


@contextmanager
def identity_change(*, customer: Customer, actor) -> Iterator[None]:
    """Wrap a write to ``customer``'s identity data, inside its transaction.

    Once the write is done, the duplicate rules judge it: DuplicateFound refuses a change that
    makes the customer certainly someone else (the transaction rolls back), probable matches
    go to the review queue, and the party's identity keys are brought up to date.
    """
    keys_before = identity_keys_of(party_id=customer.party_id)
    yield
    source = (
        DuplicateCandidate.Source.API
        if isinstance(actor, PartnerActor)
        else DuplicateCandidate.Source.CREATE
    )
    duplicates_check_change(customer=customer, keys_before=keys_before, actor=actor, source=source)


def identity_keys_forget(*, party_ids: Iterable[int]) -> None:
    """A party lost identity data (a contact removed): its keys follow; nothing to judge."""
    identity_keys_refresh(party_ids=party_ids)
