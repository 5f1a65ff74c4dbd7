"""Checking and writing the rows of an import, one batch at a time, per kind of file.

Every customer row is checked for duplicates against the base here; the rows of one file are
paired with each other once all are written (``imports.import_complete``).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.bulk import bulk_copy, bulk_insert
from customers.events import CustomerEvent
from customers.identity.matching import (
    IdentityProfile,
    Match,
    blocking_keys,
    identifier_key,
    score_pair,
)
from customers.identity.models import DuplicateCandidate, IdentityKey, ImportJob, ImportRowError
from customers.identity.services import identity
from customers.identity.services.identity import (
    certainly_same,
    key_members,
    party_profiles,
    profile_from_input,
)
from customers.models import (
    CommunicationPreferences,
    ContactMedium,
    Customer,
    Invoice,
    LifecycleEvent,
    Party,
    Product,
    Subscription,
)
from customers.services.audit import action_log_entry, action_logs_record
from customers.services.billing import (
    due_date_valid,
    invoice_recorded_data,
    may_hold_products,
    subscription_added_data,
)
from customers.services.contacts import ContactMediumInput, contact_medium_fields
from customers.services.customers import (
    PARTY_FIELDS,
    PartyInput,
    billing_currency,
    customer_created_data,
    party_from_input,
)
from customers.services.numbers import customer_serials_allocate, format_customer_number
from customers.services.profile import ONBOARDING_STATUSES, onboarding_actions
from customers.services.usage import (
    MEASURE_FIELDS,
    UsageInput,
    usage_measures_parse,
    usage_month_check,
    usages_check,
    usages_record_bulk,
)

# The party's text columns, as long as the party's fields allow.
PARTY_TEXT_COLUMNS = {
    name: Party._meta.get_field(name).max_length
    for name in PARTY_FIELDS
    if name not in ("kind", "birth_date")
}


class RowError(Exception):
    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


# --- Reading the file -------------------------------------------------------------------------


@dataclass
class ImportOutcome:
    created: int = 0
    skipped: int = 0
    duplicates_queued: int = 0
    errors: list[ImportRowError] = field(default_factory=list)
    # The parties of the customers written, paired with each other when the file is done.
    party_ids: list[int] = field(default_factory=list)

    def fail(self, job: ImportJob, index: int, ref: str, error: RowError) -> None:
        self.errors.append(
            ImportRowError(
                job=job,
                row_number=index + 2,
                external_ref=ref[:64],
                field=error.field,
                message=error.message,
            )
        )


def _date(row: dict, name: str, *, required: bool = False) -> date | None:
    value = row.get(name, "")
    if not value:
        if required:
            raise RowError(f"{name} is required.", name)
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise RowError(f"{name} '{value}' is not a date (YYYY-MM-DD).", name) from None


def _decimal(
    row: dict, name: str, *, required: bool = False, below: Decimal = Decimal("100000000")
) -> Decimal | None:
    value = row.get(name, "")
    if not value:
        if required:
            raise RowError(f"{name} is required.", name)
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise RowError(f"{name} '{value}' is not a number.", name) from None
    if not number.is_finite() or number < 0 or number >= below:
        raise RowError(f"{name} '{value}' is out of range.", name)
    return number.quantize(Decimal("0.01"))


def _choice(row: dict, name: str, choices, default: str) -> str:
    value = row.get(name, "").lower() or default
    if value not in choices:
        raise RowError(f"{name} '{value}' is not one of {', '.join(sorted(choices))}.", name)
    return value


def _text(row: dict, name: str, limit: int) -> str:
    value = row.get(name, "")
    if len(value) > limit:
        raise RowError(f"{name} is longer than {limit} characters.", name)
    return value


def _external_ref(row: dict, name: str = "external_ref") -> str:
    ref = row.get(name, "")
    if not ref:
        raise RowError(f"{name} is required.", name)
    if len(ref) > 64:
        raise RowError(f"{name} is longer than 64 characters.", name)
    return ref


def _row_readable(row: dict) -> None:
    """A row the file itself spoils (a NUL, more values than columns: see ``imports._row_of``)
    is refused, whatever its kind."""
    if "__problem__" in row:
        raise RowError(row["__problem__"], row.get("__field__", ""))


# --- Customers ----------------------------------------------------------------------------------


def customer_row_identifier(row: dict) -> str:
    """The national id (a person's) or registration number (an organisation's) of a raw row,
    as its identity profile holds it: the same in two rows means one person."""
    organisation = row.get("kind", "").lower() == Party.Kind.ORGANIZATION
    return identifier_key(row.get("registration_number" if organisation else "national_id", ""))


@dataclass
class _CustomerRow:
    index: int
    ref: str
    party: PartyInput
    status: str
    segment: str
    language: str
    lead_source: str
    currency: str
    profile: IdentityProfile
    media: list[dict]
    record: Party  # unsaved, names already derived; written as is
    # Computed once for the check and written as the party's identity keys: hashing them is
    # a good part of a row's cost.
    keys: set[tuple[str, str]] = field(default_factory=set)
    # The customer (id) in the base each match is with.
    matches: list[tuple[int, Match]] = field(default_factory=list)


def _currency(row: dict) -> str:
    """The billing currency of the row (ISO 4217), or the product's default."""
    try:
        return billing_currency(row.get("currency", ""))
    except ValidationError as error:
        raise RowError(f"currency: {' '.join(error.messages)}", "currency") from None


def _customer_row(index: int, row: dict) -> _CustomerRow:
    _row_readable(row)
    ref = _external_ref(row)
    kind = _choice(row, "kind", Party.Kind.values, Party.Kind.INDIVIDUAL)
    for name, limit in (("street", 200), ("postcode", 20), ("city", 100)):
        _text(row, name, limit)
    # Phone numbers are read in this country, which phonenumbers only knows in capitals.
    country = _text(row, "country", 2).upper()
    media_inputs = []
    for medium_kind, column in (("email", "email"), ("mobile", "mobile"), ("phone", "phone")):
        if row.get(column):
            media_inputs.append(
                ContactMediumInput(
                    kind=medium_kind,
                    value=row[column],
                    is_preferred=True,
                    country=country,
                )
            )
    if row.get("street") or row.get("city"):
        media_inputs.append(
            ContactMediumInput(
                kind="postal",
                street=row.get("street", ""),
                city=row.get("city", ""),
                postcode=row.get("postcode", ""),
                country=country,
                is_preferred=True,
            )
        )
    media = []
    for medium in media_inputs:
        try:
            media.append(contact_medium_fields(medium))
        except ValidationError as error:
            name, messages = next(iter(error.message_dict.items()))
            column = medium.kind if name == "value" else name
            raise RowError(f"{column}: {' '.join(messages)}", column) from None
    party = PartyInput(
        kind=kind,
        birth_date=_date(row, "birth_date"),
        contact_media=media_inputs,
        **{name: _text(row, name, limit) for name, limit in PARTY_TEXT_COLUMNS.items()},
    )
    try:
        record = party_from_input(party)
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise RowError(" ".join(messages), name) from None
    return _CustomerRow(
        index=index,
        ref=ref,
        party=party,
        status=_choice(row, "status", ONBOARDING_STATUSES, Customer.Status.LEAD),
        segment=_choice(row, "segment", Customer.Segment.values, Customer.Segment.RESIDENTIAL),
        language=_text(row, "language", 8) or "en",
        lead_source=_text(row, "lead_source", 40) or "import",
        currency=_currency(row),
        profile=profile_from_input(party),
        record=record,
        media=media,
    )


def _customer_batch(job: ImportJob, batch: list[tuple[int, dict]], outcome: ImportOutcome) -> None:
    rows: list[_CustomerRow] = []
    for index, raw in batch:
        ref = raw.get("external_ref", "")
        try:
            parsed = _customer_row(index, raw)
        except RowError as error:
            outcome.fail(job, index, ref, error)
            continue
        if "__repeat_of__" in raw:
            first = int(raw["__repeat_of__"]) + 2
            outcome.fail(
                job,
                index,
                ref,
                RowError(f"external_ref {ref} is repeated (first at row {first}).", "external_ref"),
            )
            continue
        if "__same_person_as__" in raw and job.on_duplicate == ImportJob.OnDuplicate.REFUSE:
            first = int(raw["__same_person_as__"]) + 2
            outcome.fail(job, index, ref, RowError(f"{SAME_PERSON} {first} (same national id)."))
            continue
        rows.append(parsed)
    existing = set(
        Customer.objects.filter(external_ref__in=[r.ref for r in rows]).values_list(
            "external_ref", flat=True
        )
    )
    outcome.skipped += sum(1 for r in rows if r.ref in existing)
    rows = [r for r in rows if r.ref not in existing]
    if not rows:
        return
    rows = _match_against_base(job, rows, outcome)
    _write_customers(job, rows, outcome)


# The rows of one file are paired with each other once all are written
# (``customers_import_complete``): a row is refused as the same person as an earlier row of the
# file at once only when both carry one national id, which the file alone tells.
SAME_PERSON = "Same person as row"


def _match_against_base(
    job: ImportJob, rows: list[_CustomerRow], outcome: ImportOutcome
) -> list[_CustomerRow]:
    """Attach likely matches in the base to each row; refuse rows that certainly exist, if so
    configured.

    Which pairs are compared is the one rule of the check at create and of the scan
    (``customers.identity.matching.members_worth_comparing``). Customers written by other
    chunks of the same file count as the base once committed; the pairs they would miss are
    found when the whole file is written.
    """
    for row in rows:
        row.keys = blocking_keys(row.profile)
    base_members = key_members(set().union(*(row.keys for row in rows)), selective_only=True)
    shortlist = {
        row.index: identity.parties_worth_comparing(row.keys, base_members) for row in rows
    }
    candidate_ids = set().union(*shortlist.values())
    profiles = party_profiles(candidate_ids)
    # Only the id and number of a match are used: loading the parties too would decrypt their
    # national ids and birth dates a second time (party_profiles read them).
    customers = {
        party_id: (customer_id, number)
        for party_id, customer_id, number in Customer.objects.filter(party_id__in=candidate_ids)
        .exclude(status=Customer.Status.MERGED)
        .values_list("party_id", "pk", "number")
    }
    verified: dict[int, set[str]] = defaultdict(set)
    for party_id, value in ContactMedium.objects.filter(
        party_id__in=candidate_ids,
        is_verified=True,
        value__in={v for r in rows for v in (*r.profile.emails, *r.profile.phones)},
    ).values_list("party_id", "value"):
        verified[party_id].add(value)
    accepted = []
    for row in rows:
        refuse = None
        for party_id in sorted(shortlist[row.index]):
            if party_id not in customers:
                continue
            match = score_pair(row.profile, profiles[party_id])
            if match.decision == "unlikely":
                continue
            customer_id, existing = customers[party_id]
            row.matches.append((customer_id, match))
            if refuse is None and certainly_same(
                row.profile, profiles[party_id], verified=verified[party_id]
            ):
                refuse = f"Already customer {existing} ({', '.join(match.reasons)})."
        if refuse and job.on_duplicate == ImportJob.OnDuplicate.REFUSE:
            outcome.fail(job, row.index, row.ref, RowError(refuse))
            continue
        accepted.append(row)
    return accepted


def _write_customers(job: ImportJob, rows: list[_CustomerRow], outcome: ImportOutcome) -> None:
    """Write the rows' parties, customers and everything they own with one insert per table,
    and announce them as ``customer_onboard`` announces a customer created in that status."""
    now = timezone.now()
    actor = job.uploaded_by or f"import:{job.pk}"
    parties = [row.record for row in rows]
    bulk_insert(parties, with_ids=True)
    serials = customer_serials_allocate(len(rows))
    customers = [
        Customer(
            number=format_customer_number(serial),
            party=party,
            status=row.status,
            status_reason="import" if row.status != Customer.Status.LEAD else "",
            status_changed_at=now,
            segment=row.segment,
            lead_source=row.lead_source,
            currency=row.currency,
            valid_from=now,
            last_activity_at=now,
            external_ref=row.ref,
        )
        for row, party, serial in zip(rows, parties, serials, strict=True)
    ]
    bulk_insert(customers, with_ids=True)
    media, keys, lifecycle, logs, preferences, events = [], [], [], [], [], []
    for row, party, customer in zip(rows, parties, customers, strict=True):
        media.extend(ContactMedium(party=party, **fields) for fields in row.media)
        keys.extend((party.pk, kind, value) for kind, value in row.keys)
        preferences.append(CommunicationPreferences(customer=customer, language=row.language))
        lifecycle.append(
            LifecycleEvent(
                customer=customer,
                action="import",
                to_status=row.status,
                reason="import",
                note=f"Imported from {job.original_name}, row {row.index + 2}",
                actor=job.uploaded_by,
                occurred_at=now,
            )
        )
        logs.append(
            action_log_entry(
                customer=customer,
                action="customer.imported",
                actor=actor,
                data={
                    "job": job.pk,
                    "file": job.original_name,
                    "row": row.index + 2,
                    "external_ref": row.ref,
                },
                at=now,
            )
        )
        events.extend(_onboarding_events(customer, row))
        row.customer = customer
    bulk_insert(media)
    bulk_copy(IdentityKey, ("party_id", "kind", "value"), keys)
    bulk_insert(preferences)
    bulk_insert(lifecycle)
    # The history says "imported" in one line; other apps hear what a create would tell them.
    action_logs_record(logs, events=events)
    pairs = {}
    for row in rows:
        for other_id, match in row.matches:
            low, high = sorted((row.customer.pk, other_id))
            if low != high and ((low, high) not in pairs or pairs[(low, high)].score < match.score):
                pairs[(low, high)] = DuplicateCandidate(
                    customer_low_id=low,
                    customer_high_id=high,
                    score=match.score,
                    reasons=list(match.reasons),
                    source=DuplicateCandidate.Source.IMPORT,
                    found_at=now,
                )
    DuplicateCandidate.objects.bulk_create(pairs.values(), ignore_conflicts=True, batch_size=2000)
    outcome.created += len(rows)
    outcome.duplicates_queued += len(pairs)
    outcome.party_ids.extend(party.pk for party in parties)


def _onboarding_events(customer: Customer, row: _CustomerRow) -> list[CustomerEvent]:
    created = customer_created_data(customer, contact_media=row.party.contact_media)
    moved = {"from": Customer.Status.LEAD, "to": row.status, "reason": "import", "note": ""}
    return [
        CustomerEvent(
            customer=customer, action=action, data=created if action.endswith("created") else moved
        )
        for action in onboarding_actions(row.status)
    ]


# --- Subscriptions and invoices -----------------------------------------------------------------


def _customers_by_ref(refs: set[str]) -> dict[str, Customer]:
    found = {}
    # What a fact's row and its announcement read of the customer, nothing more.
    fields = ("pk", "number", "external_ref", "status", "merged_into_id", "partner_id")
    for customer in Customer.objects.filter(external_ref__in=refs).only(*fields):
        found[customer.external_ref] = customer
    missing = refs - set(found)
    for customer in Customer.objects.filter(number__in={r.upper() for r in missing}).only(*fields):
        found[customer.number] = customer
    # A merged-away customer's facts belong to its survivor.
    survivors = {
        c.pk: c
        for c in Customer.objects.filter(
            pk__in={c.merged_into_id for c in found.values() if c.merged_into_id}
        )
    }
    return {ref: survivors.get(c.merged_into_id, c) for ref, c in found.items()}


def _customer_of_row(raw: dict, customers: dict[str, Customer]) -> Customer:
    """The customer a subscription or invoice row names, by external reference or number."""
    ref = raw.get("customer_ref", "")
    customer = customers.get(ref) or customers.get(ref.upper())
    if customer is None:
        raise RowError(f"No customer with reference or number '{ref}'.", "customer_ref")
    return customer


def _subscription_batch(
    job: ImportJob, batch: list[tuple[int, dict]], outcome: ImportOutcome
) -> None:
    refs = {raw.get("customer_ref", "") for _, raw in batch}
    customers = _customers_by_ref({r for r in refs if r} | {r.upper() for r in refs if r})
    products = {
        p.code: p
        for p in Product.objects.filter(code__in={raw.get("product_code", "") for _, raw in batch})
    }
    existing = set(
        Subscription.objects.filter(
            external_ref__in={raw.get("external_ref", "") for _, raw in batch}
        ).values_list("external_ref", flat=True)
    )
    new = []
    for index, raw in batch:
        ref = raw.get("external_ref", "")
        try:
            _row_readable(raw)
            ref = _external_ref(raw)
            if "__repeat_of__" in raw:
                raise RowError(f"external_ref {ref} is repeated in the file.", "external_ref")
            if ref in existing:
                outcome.skipped += 1
                continue
            customer = _customer_of_row(raw, customers)
            if not may_hold_products(customer.status):
                raise RowError(
                    "The customer's relationship has ended; re-establish it first.", "customer_ref"
                )
            product = products.get(raw.get("product_code", ""))
            if product is None:
                raise RowError(
                    f"No product with code '{raw.get('product_code', '')}'.", "product_code"
                )
            start = _date(raw, "start_date", required=True)
            end = _date(raw, "end_date")
            if end and end < start:
                raise RowError("end_date is before start_date.", "end_date")
            term = raw.get("contract_term_months", "") or "0"
            if not term.isdigit() or int(term) > 120:
                raise RowError(
                    f"contract_term_months '{term}' is not a number of months.",
                    "contract_term_months",
                )
            charge = _decimal(raw, "monthly_charge", below=Decimal("10000000"))
            new.append(
                Subscription(
                    customer=customer,
                    product=product,
                    service_id=_text(raw, "service_id", 40),
                    monthly_charge=product.list_price if charge is None else charge,
                    contract_term_months=int(term),
                    start_date=start,
                    end_date=end,
                    status=_choice(
                        raw,
                        "status",
                        Subscription.Status.values,
                        Subscription.Status.TERMINATED if end else Subscription.Status.ACTIVE,
                    ),
                    external_ref=ref,
                )
            )
        except RowError as error:
            outcome.fail(job, index, ref, error)
    Subscription.objects.bulk_create(new, batch_size=2000)
    _log_facts(job, new, "subscription.added", subscription_added_data)
    outcome.created += len(new)


def _invoice_batch(job: ImportJob, batch: list[tuple[int, dict]], outcome: ImportOutcome) -> None:
    refs = {raw.get("customer_ref", "") for _, raw in batch}
    customers = _customers_by_ref({r for r in refs if r} | {r.upper() for r in refs if r})
    numbers = {raw.get("invoice_number", "") for _, raw in batch}
    existing = set(Invoice.objects.filter(number__in=numbers).values_list("number", flat=True))
    new = []
    for index, raw in batch:
        number = raw.get("invoice_number", "")
        try:
            _row_readable(raw)
            number = _external_ref(raw, "invoice_number")
            _text(raw, "invoice_number", 30)
            if "__repeat_of__" in raw:
                raise RowError(
                    f"invoice_number {number} is repeated in the file.", "invoice_number"
                )
            if number in existing:
                outcome.skipped += 1
                continue
            customer = _customer_of_row(raw, customers)
            issued = _date(raw, "issued_on", required=True)
            due = _date(raw, "due_on", required=True)
            if not due_date_valid(issued_on=issued, due_on=due):
                raise RowError("due_on is before issued_on.", "due_on")
            amount = _decimal(raw, "amount", required=True)
            paid_amount = _decimal(raw, "paid_amount") or Decimal("0")
            paid_on = _date(raw, "paid_on")
            new.append(
                Invoice(
                    customer=customer,
                    number=number,
                    period_start=_date(raw, "period_start") or issued.replace(day=1),
                    issued_on=issued,
                    due_on=due,
                    amount=amount,
                    paid_amount=paid_amount,
                    paid_on=paid_on,
                )
            )
        except RowError as error:
            outcome.fail(job, index, number, error)
    Invoice.objects.bulk_create(new, batch_size=2000)
    _log_facts(job, new, "invoice.recorded", invoice_recorded_data)
    outcome.created += len(new)


def _month(raw: dict) -> date:
    """The usage month, as 2026-03 or 2026-03-01."""
    value = raw.get("month", "")
    if not value:
        raise RowError("month is required.", "month")
    try:
        month = date.fromisoformat(value if len(value) > 7 else f"{value}-01")
    except ValueError:
        raise RowError(f"month '{value}' is not a month (YYYY-MM).", "month") from None
    try:
        return usage_month_check(month)
    except ValidationError as error:
        raise RowError(" ".join(error.messages), "month") from None


def _usage_batch(job: ImportJob, batch: list[tuple[int, dict]], outcome: ImportOutcome) -> None:
    """Monthly usage: the service's rules for each row; a month recorded before is replaced by
    the file's values (counted as skipped), so importing a file again never doubles usage."""
    refs = {raw.get("customer_ref", "") for _, raw in batch}
    customers = _customers_by_ref({r for r in refs if r} | {r.upper() for r in refs if r})
    products = {
        p.code: p.pk
        for p in Product.objects.filter(code__in={raw.get("product_code", "") for _, raw in batch})
    }
    usages, rows = [], []
    for index, raw in batch:
        ref = raw.get("external_ref", "")
        try:
            _row_readable(raw)
            if len(ref) > 64:
                raise RowError("external_ref is longer than 64 characters.", "external_ref")
            if ref and "__repeat_of__" in raw:
                raise RowError(f"external_ref {ref} is repeated in the file.", "external_ref")
            customer = _customer_of_row(raw, customers)
            product_id = products.get(raw.get("product_code", ""))
            if product_id is None:
                raise RowError(
                    f"No product with code '{raw.get('product_code', '')}'.", "product_code"
                )
            month = _month(raw)
            try:
                measures = usage_measures_parse({name: raw.get(name) for name in MEASURE_FIELDS})
            except ValidationError as error:
                name, messages = next(iter(error.message_dict.items()))
                raise RowError(f"{name}: {' '.join(messages)}", name) from None
            usages.append(
                UsageInput(
                    customer_id=customer.pk,
                    product_id=product_id,
                    month=month,
                    measures=measures,
                    external_ref=ref or None,
                )
            )
            rows.append((index, ref))
        except RowError as error:
            outcome.fail(job, index, ref, error)
    # What only the database can tell (a customer merged meanwhile) is the row's error too.
    refused = usages_check(usages)
    for position, error in refused.items():
        index, ref = rows[position]
        outcome.fail(job, index, ref, RowError(" ".join(error.messages), "customer_ref"))
    written = usages_record_bulk([u for i, u in enumerate(usages) if i not in refused])
    outcome.created += written.created
    outcome.skipped += written.replaced


def _log_facts(job: ImportJob, facts: list, action: str, data_of) -> None:
    """Log each imported fact as its single service does, announced as one batch: risk hears
    of imported products as of products added one by one."""
    now = timezone.now()
    actor = job.uploaded_by or f"import:{job.pk}"
    action_logs_record(
        [
            action_log_entry(
                customer=fact.customer, action=action, actor=actor, data=data_of(fact), at=now
            )
            for fact in facts
        ]
    )


BATCH_WRITERS = {
    ImportJob.Kind.CUSTOMERS: _customer_batch,
    ImportJob.Kind.SUBSCRIPTIONS: _subscription_batch,
    ImportJob.Kind.INVOICES: _invoice_batch,
    ImportJob.Kind.USAGE: _usage_batch,
}
