"""The global search in the header: one box that finds customers, invoices and partners.

The term is read first as what it most likely is (a customer number, an e-mail address, a phone
number, a reference such as an invoice number, or a name), so most searches are one index lookup;
each group of results is one bounded query, and a user only gets the groups they may see.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from rapidfuzz import fuzz

from customers import labels
from customers.models import Customer, CustomerAlias, Invoice, Partner, Party
from customers.normalization import looks_like_phone, name_key, normalize_phone
from customers.selectors import customer_search
from customers.services.numbers import is_well_formed_customer_number

SUGGESTION_LIMIT = 5
RESULT_LIMIT = 20
# Shorter terms match too much to be worth a query; longer ones are no search anybody types.
MIN_TERM_LENGTH = 2
MAX_TERM_LENGTH = 100

# How alike (pg_trgm's similarity, 0 to 1) a name must be to the term to be found as its
# mistyped form. One slip in a name of two words leaves about 0.55 to 0.65 ('laura martni' and
# 'laura martin': 0.63); 0.3, the extension's default, also takes every namesake of either word,
# thousands of rows on a large base where 0.5 reads a few hundred.
NAME_SIMILARITY = 0.5
# The distinct names the trigram index offers, ranked again by edit distance.
NAME_CANDIDATES = 30

_CUSTOMER_NUMBER_PREFIX = re.compile(r"^C\d{3,8}$", re.IGNORECASE)


class TermKind(StrEnum):
    NOTHING = "nothing"
    CUSTOMER_NUMBER = "customer_number"
    EMAIL = "email"
    PHONE = "phone"
    REFERENCE = "reference"
    NAME = "name"


TERM_KIND_LABELS = {
    TermKind.CUSTOMER_NUMBER: "a customer number",
    TermKind.EMAIL: "an e-mail address",
    TermKind.PHONE: "a phone number",
    TermKind.REFERENCE: "an invoice number or a reference",
    TermKind.NAME: "a name",
}


@dataclass(frozen=True)
class SearchHit:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class SearchResults:
    term: str
    kind: TermKind
    # What the term was compared as: the E.164 form of a phone number, the upper-case number.
    read_as: str = ""
    customers: list[SearchHit] = field(default_factory=list)
    invoices: list[SearchHit] = field(default_factory=list)
    partners: list[SearchHit] = field(default_factory=list)

    @property
    def groups(self) -> list[tuple[str, list[SearchHit]]]:
        """The groups that found something, in the order the page shows them."""
        named = [("Customers", self.customers), ("Invoices", self.invoices)]
        named.append(("Partners", self.partners))
        return [(name, hits) for name, hits in named if hits]

    @property
    def kind_label(self) -> str:
        return TERM_KIND_LABELS.get(self.kind, "")


def search_term_clean(term: str) -> str:
    return " ".join((term or "").split())[:MAX_TERM_LENGTH]


def term_kind(term: str) -> TermKind:
    """What the term most likely is; each kind is looked up where it can be, on its index."""
    if len(term) < MIN_TERM_LENGTH:
        return TermKind.NOTHING
    if "@" in term:
        return TermKind.EMAIL
    if is_well_formed_customer_number(term) or _CUSTOMER_NUMBER_PREFIX.match(term):
        return TermKind.CUSTOMER_NUMBER
    if looks_like_phone(term) and (_phone_e164(term) or not term.isdigit()):
        # Written as a phone number ('+44 …', '(0)20 …'), valid or not.
        return TermKind.PHONE
    # Invoice numbers and the references of other systems carry digits and no spaces (a bare
    # run of digits that is no phone number among them); names, even 'Ferrari-Bianchi 3', a
    # space or no digit.
    if " " not in term and any(ch.isdigit() for ch in term):
        return TermKind.REFERENCE
    return TermKind.NAME


def global_search(*, term: str, user, limit: int = RESULT_LIMIT) -> SearchResults:
    """Customers, invoices and partners the term finds, among those ``user`` may see."""
    term = search_term_clean(term)
    kind = term_kind(term)
    if kind is TermKind.NOTHING:
        return SearchResults(term=term, kind=kind)
    customers, invoices, partners = [], [], []
    if user.has_perm("customers.view_customer"):
        customers = [_customer_hit(c) for c in _customers_found(term, kind, limit)]
        if kind is TermKind.REFERENCE:
            invoices = [_invoice_hit(i) for i in _invoices_numbered(term, limit)]
    if kind is TermKind.NAME and user.has_perm("customers.view_partner"):
        partners = [_partner_hit(p) for p in _partners_named(term, limit)]
    return SearchResults(
        term=term,
        kind=kind,
        read_as=_read_as(term, kind),
        customers=customers,
        invoices=invoices,
        partners=partners,
    )


def _phone_e164(term: str) -> str:
    try:
        return normalize_phone(term)
    except ValidationError:
        return ""


def _read_as(term: str, kind: TermKind) -> str:
    if kind is TermKind.PHONE:
        return _phone_e164(term)
    if kind is TermKind.CUSTOMER_NUMBER:
        return term.upper()
    if kind is TermKind.EMAIL:
        return term.lower()
    return ""


def _visible_customers() -> QuerySet:
    # Merged-away customers are aliases of their survivor, which their number still finds.
    return Customer.objects.exclude(status=Customer.Status.MERGED).select_related("party")


def _customers_found(term: str, kind: TermKind, limit: int) -> list[Customer]:
    if kind is TermKind.REFERENCE:
        return list(_customers_referenced(term, limit))
    if kind is TermKind.CUSTOMER_NUMBER:
        return sorted(_customers_numbered(term, limit), key=lambda c: c.number)
    # E-mails, phones and name prefixes: the customer list's own search.
    found = sorted(
        customer_search(_visible_customers(), term)[:limit],
        key=lambda c: (c.party.sort_key, c.pk),
    )
    if kind is TermKind.NAME and len(found) < limit and connection.vendor == "postgresql":
        # A name nobody starts with is most often mistyped: the closest names follow.
        seen = {customer.pk for customer in found}
        found += [c for c in _customers_named_alike(term, limit) if c.pk not in seen]
    return found[:limit]


def _customers_numbered(term: str, limit: int) -> QuerySet:
    """By a whole number, the customer's own or a merged customer's (its survivor is found),
    or by the first digits of numbers while they are being typed."""
    number = term.upper()
    if not is_well_formed_customer_number(number):
        # No ORDER BY, so the LIMIT stops the scan of the number's index early; the few
        # found are put in order by the caller.
        return _visible_customers().filter(number__startswith=number)[:limit]
    # The alias first, as a list: an OR with a subquery would make PostgreSQL read every row.
    survivors = list(
        CustomerAlias.objects.filter(number=number).values_list("customer_id", flat=True)
    )
    return _visible_customers().filter(Q(number=number) | Q(pk__in=survivors)).order_by("id")


def _customers_referenced(term: str, limit: int) -> QuerySet:
    """By the customer's id in the system it came from, or a partner's own id for it."""
    by_external = _visible_customers().filter(external_ref=term)
    by_partner = _visible_customers().filter(partner_reference=term)
    return (by_external | by_partner).order_by("id")[:limit]


def _customers_named_alike(term: str, limit: int) -> list[Customer]:
    """Customers whose name is like the term, a typo or so apart, the closest name first.

    Two queries. The names: distinct, through pg_trgm's ``%`` operator on the GIN index of
    the migration ``0016_search_trigram``; trigrams ignore the order of words ('hugo thomas'
    is as like 'thomas hugehs' as 'thomas hughes' is), so they are ranked again here by edit
    distance in the order typed or family name first. Then at most ``limit`` customers of
    each of the best names, namesakes being common.
    """
    from django.contrib.postgres.search import TrigramSimilarity

    key = name_key(term)
    if len(key) < 3:  # no whole trigram to compare
        return []
    with transaction.atomic(), connection.cursor() as cursor:
        # Local to this transaction. The index can skip a name only below this threshold, so
        # it sets how many rows a search reads: see NAME_SIMILARITY.
        cursor.execute(
            "SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(NAME_SIMILARITY)]
        )
        names = list(
            Party.objects.filter(name_key__trigram_similar=key)
            .annotate(similarity=TrigramSimilarity("name_key", key))
            .order_by("-similarity", "name_key")
            .values_list("name_key", "sort_key")
            .distinct()[:NAME_CANDIDATES]
        )
    ranked = sorted(
        names, key=lambda name: -max(fuzz.ratio(key, name[0]), fuzz.ratio(key, name[1]))
    )
    best = list(dict.fromkeys(name for name, _ in ranked))[:limit]
    if not best:
        return []
    per_name = [
        _visible_customers().filter(party__name_key=name).order_by("id")[:limit] for name in best
    ]
    found = per_name[0].union(*per_name[1:], all=True) if len(per_name) > 1 else per_name[0]
    rank = {name: position for position, name in enumerate(best)}
    return sorted(found, key=lambda c: (rank[c.party.name_key], c.pk))[:limit]


def _invoices_numbered(term: str, limit: int) -> QuerySet:
    numbers = {term, term.upper()}
    return (
        Invoice.objects.filter(number__in=numbers)
        .select_related("customer__party")
        .order_by("-issued_on", "id")[:limit]
    )


def _partners_named(term: str, limit: int) -> QuerySet:
    return Partner.objects.filter(name__icontains=term).order_by("name")[:limit]


def _customer_hit(customer: Customer) -> SearchHit:
    return SearchHit(
        label=customer.name or customer.party.display_name,
        detail=f"{customer.number} · {labels.status_label(customer.status)}",
        url=customer.get_absolute_url(),
    )


def _invoice_hit(invoice: Invoice) -> SearchHit:
    customer = invoice.customer
    return SearchHit(
        label=invoice.number,
        detail=f"{customer.name or customer.party.display_name} · {customer.number}",
        url=f"{customer.get_absolute_url()}#billing-h",
    )


def _partner_hit(partner: Partner) -> SearchHit:
    return SearchHit(
        label=partner.name,
        detail=partner.get_status_display(),
        url=reverse("partners:detail", kwargs={"partner_id": partner.pk}),
    )
