"""The one seam through which the customer core asks identity for its rules.

The core (parties, customers, contact media) knows that a write may make one customer another
one; the identity app (keys, matching, scans, merge, imports) knows how to tell. Identity builds
on the core, so the core never imports it: the identity app installs its rules here when Django
starts (``IdentityConfig.ready``), and core services call only the functions below.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured, ValidationError


class DuplicateFound(ValidationError):
    """The customer matches existing ones; ``matches`` says who and why (customer, match)."""

    def __init__(self, message: str, *, matches: list, exact: bool):
        super().__init__(message, code="duplicate_exact" if exact else "duplicate_probable")
        self.matches = matches
        self.exact = exact


class IdentityRules(Protocol):
    def duplicates_check(self, party_input, *, confirmed_distinct: Iterable[int] = ()) -> list:
        """Raise DuplicateFound for a new party that is someone already known."""

    def duplicate_pair_record(self, *, first, second, match, source, status, actor): ...

    def identity_keys_refresh(self, *, party_ids: Iterable[int]) -> int: ...

    def identity_keys_of(self, *, party_id: int) -> set: ...

    def duplicates_judge_change(self, *, customer, keys_before: set, actor) -> list:
        """Raise DuplicateFound for a change that makes ``customer`` someone else."""


_installed: IdentityRules | None = None


def identity_rules_install(rules: IdentityRules) -> None:
    global _installed
    _installed = rules


def _rules() -> IdentityRules:
    if _installed is None:
        raise ImproperlyConfigured("The identity app (customers.identity) is not installed.")
    return _installed


def duplicates_check(party_input, *, confirmed_distinct: Iterable[int] = ()) -> list:
    return _rules().duplicates_check(party_input, confirmed_distinct=confirmed_distinct)


def duplicate_pair_record(*, first, second, match, source: str, status: str, actor):
    return _rules().duplicate_pair_record(
        first=first, second=second, match=match, source=source, status=status, actor=actor
    )


def identity_keys_refresh(*, party_ids: Iterable[int]) -> int:
    return _rules().identity_keys_refresh(party_ids=party_ids)


@contextmanager
def identity_change(*, customer, actor) -> Iterator[None]:
    """Wrap a write to ``customer``'s identity data, inside its transaction.

    Once the write is done, the duplicate rules judge it: DuplicateFound refuses a change that
    makes the customer certainly someone else (the transaction rolls back), probable matches
    go to the review queue, and the party's identity keys are brought up to date.
    """
    rules = _rules()
    keys_before = rules.identity_keys_of(party_id=customer.party_id)
    yield
    rules.duplicates_judge_change(customer=customer, keys_before=keys_before, actor=actor)


def identity_keys_forget(*, party_ids: Iterable[int]) -> None:
    """A party lost identity data (a contact removed): its keys follow; nothing to judge."""
    identity_keys_refresh(party_ids=party_ids)
