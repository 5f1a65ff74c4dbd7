"""Monthly usage facts, as mediation reports them: one summary per customer, product and month.

One set of rules for every door (the API records one summary, the CSV import and the demo many):
quantities are numbers of at least zero, the month is given by its first day and has begun, the
customer and the product exist. A summary sent again, for the same customer, product and month
or with the same external reference, replaces the one recorded: a re-sent file never doubles.

Usage is not written to the audit trail: it is a measurement taken every month for every line,
like a score, not a change someone made to the customer's record.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from crm.bulk import bulk_insert
from customers.models import Customer, Product, UsageSummary
from customers.models.usage import COUNT_FIELDS, MEASURE_FIELDS, QUANTITY_FIELDS
from customers.services.audit import customer_lock_for_edit

# The largest values the columns hold: Decimal(12, 2) and a positive integer.
QUANTITY_LIMIT = Decimal("10000000000")
COUNT_LIMIT = 2**31 - 1
CENT = Decimal("0.01")


@dataclass(frozen=True)
class UsageInput:
    """One summary to record. ``measures`` holds the quantities and counts given; any other
    is zero."""

    customer_id: int
    product_id: int
    month: date
    measures: Mapping[str, Decimal | int] = field(default_factory=dict)
    external_ref: str | None = None

    @property
    def key(self) -> tuple[int, int, date]:
        return (self.customer_id, self.product_id, self.month)


@dataclass
class UsageWriteOutcome:
    created: int = 0
    replaced: int = 0


def usage_quantity(name: str, value) -> Decimal:
    """Minutes or megabytes: a number of at least zero, kept to the cent of a unit."""
    if isinstance(value, bool):
        raise ValidationError({name: "Must be a number."})
    try:
        number = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError({name: f"'{value}' is not a number."})
    if number < 0:
        raise ValidationError({name: "Usage cannot be negative."})
    if number >= QUANTITY_LIMIT:
        raise ValidationError({name: f"Must be below {QUANTITY_LIMIT:,}."})
    return number.quantize(CENT)


def usage_count(name: str, value) -> int:
    """Calls, messages: a whole number of at least zero."""
    if isinstance(value, bool):
        raise ValidationError({name: "Must be a whole number."})
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip() if value is not None else ""
        if text.endswith(".0"):  # what spreadsheets write for a whole number
            text = text[:-2]
        if not text.lstrip("-").isdigit():
            raise ValidationError({name: f"'{value}' is not a whole number."})
        number = int(text)
    if number < 0:
        raise ValidationError({name: "Usage cannot be negative."})
    if number > COUNT_LIMIT:
        raise ValidationError({name: f"Must be at most {COUNT_LIMIT:,}."})
    return number


def usage_measures_parse(values: Mapping[str, object]) -> dict[str, Decimal | int]:
    """The measures of ``values`` (text or numbers by field name; a blank or absent one is 0),
    checked. Every wrong value is named in one ValidationError."""
    measures: dict[str, Decimal | int] = {}
    errors: dict[str, list[str]] = {}
    for name in MEASURE_FIELDS:
        value = values.get(name)
        if value is None or value == "":
            continue
        try:
            parse = usage_quantity if name in QUANTITY_FIELDS else usage_count
            measures[name] = parse(name, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return measures


def usage_month_check(month: date | None, *, today: date | None = None) -> date:
    """A usage month: its first day, and a month that has begun."""
    if month is None:
        raise ValidationError({"month": "The month is required."})
    if month.day != 1:
        raise ValidationError(
            {"month": f"Give the month by its first day ({month:%Y-%m}-01), not {month}."}
        )
    today = today or timezone.localdate()
    if month > today:
        raise ValidationError({"month": f"{month:%Y-%m} has not begun yet."})
    return month


def _usage_check(usage: UsageInput) -> None:
    """The rules every summary meets that need no database."""
    usage_month_check(usage.month)
    unknown = set(usage.measures) - set(MEASURE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown usage measures: {', '.join(sorted(unknown))}.")
    usage_measures_parse(usage.measures)
    if usage.external_ref is not None and len(usage.external_ref) > 64:
        raise ValidationError({"external_ref": "At most 64 characters."})


def usages_check(usages: Sequence[UsageInput]) -> dict[int, ValidationError]:
    """The summaries of ``usages`` that break a rule, by position, with why: each on its own,
    then whether their customers and products exist (one query each)."""
    refused: dict[int, ValidationError] = {}
    for position, usage in enumerate(usages):
        try:
            _usage_check(usage)
        except ValidationError as error:
            refused[position] = error
    customer_ids = {u.customer_id for u in usages}
    product_ids = {u.product_id for u in usages}
    customers = set(
        Customer.objects.filter(pk__in=customer_ids)
        .exclude(status=Customer.Status.MERGED)
        .values_list("pk", flat=True)
    )
    products = set(Product.objects.filter(pk__in=product_ids).values_list("pk", flat=True))
    for position, usage in enumerate(usages):
        if position in refused:
            continue
        if usage.customer_id not in customers:
            refused[position] = ValidationError({"customer": "No such customer."})
        elif usage.product_id not in products:
            refused[position] = ValidationError({"product": "No such product."})
    return refused


def _replaced_ids(usages: Sequence[UsageInput]) -> list[int]:
    """The recorded summaries the batch replaces: same customer, product and month, or same
    external reference. Read by customer and month (usage_customer_month_idx), then narrowed to
    the exact keys."""
    keys = {u.key for u in usages}
    refs = {u.external_ref for u in usages if u.external_ref}
    nearby = UsageSummary.objects.filter(
        Q(customer_id__in={k[0] for k in keys}, month__in={k[2] for k in keys})
        | Q(external_ref__in=refs)
    ).values_list("pk", "customer_id", "product_id", "month", "external_ref")
    return [
        pk
        for pk, customer_id, product_id, month, ref in nearby
        if (customer_id, product_id, month) in keys or (ref and ref in refs)
    ]


def _summary(usage: UsageInput) -> UsageSummary:
    measures = usage_measures_parse(usage.measures)
    return UsageSummary(
        customer_id=usage.customer_id,
        product_id=usage.product_id,
        month=usage.month,
        external_ref=usage.external_ref or None,
        **{name: measures.get(name, 0) for name in MEASURE_FIELDS},
    )


def _last_per_key(usages: Iterable[UsageInput]) -> list[UsageInput]:
    """Within one batch, the last summary given for a key or an external reference wins."""
    by_key: dict[tuple, UsageInput] = {}
    for usage in usages:
        by_key[usage.key] = usage
    by_ref: dict[str, UsageInput] = {}
    kept = []
    for usage in reversed(list(by_key.values())):
        if usage.external_ref:
            if usage.external_ref in by_ref:
                continue
            by_ref[usage.external_ref] = usage
        kept.append(usage)
    return kept[::-1]


@transaction.atomic
def usages_record_bulk(usages: Sequence[UsageInput]) -> UsageWriteOutcome:
    """Record many summaries at once, replacing those they re-send; all or nothing: a summary
    breaking a rule refuses the batch (``usages_check`` first to keep the good ones)."""
    refused = usages_check(usages)
    if refused:
        position, error = next(iter(refused.items()))
        raise ValidationError(f"Summary {position + 1}: {' '.join(error.messages)}")
    usages = _last_per_key(usages)
    replaced = _replaced_ids(usages)
    if replaced:
        UsageSummary.objects.filter(pk__in=replaced).delete()
    bulk_insert([_summary(u) for u in usages])
    return UsageWriteOutcome(created=len(usages) - len(replaced), replaced=len(replaced))


@transaction.atomic
def usage_record(
    *,
    customer: Customer,
    product: Product,
    month: date,
    measures: Mapping[str, object],
    external_ref: str | None = None,
) -> UsageSummary:
    """Record one customer's use of one product in one month (replacing the summary recorded
    for that month, or under that external reference); the same rules as the bulk path."""
    usage = UsageInput(
        customer_id=customer.pk,
        product_id=product.pk,
        month=month,
        measures=usage_measures_parse(measures),
        external_ref=(external_ref or "").strip() or None,
    )
    refused = usages_check([usage])
    if refused:
        raise refused[0]
    # Locked so that two senders of the same month replace one another, never both insert,
    # and nothing is written to a customer a merge is moving away.
    customer_lock_for_edit(customer)
    replaced = _replaced_ids([usage])
    summary = _summary(usage)
    if replaced:
        # The summary keeps the id it was first given: a partner's link to it stays good.
        summary.pk, *others = replaced
        UsageSummary.objects.filter(pk__in=others).delete()
        summary.save(force_update=True)
    else:
        summary.save(force_insert=True)
    return summary


def usage_totals(*, customer: Customer, months: int = 3) -> list[dict]:
    """The customer's usage of each of the last ``months`` months it has, over all products:
    for the customer page."""
    rows = (
        UsageSummary.objects.filter(customer=customer)
        .values("month")
        .annotate(
            minutes=Sum("voice_minutes_day")
            + Sum("voice_minutes_evening")
            + Sum("voice_minutes_night")
            + Sum("voice_minutes_international"),
            calls=Sum("voice_calls_day")
            + Sum("voice_calls_evening")
            + Sum("voice_calls_night")
            + Sum("voice_calls_international"),
            data_mb=Sum("data_mb"),
            sms=Sum("sms_count"),
            roaming_minutes=Sum("roaming_minutes"),
            service_calls=Sum("service_calls"),
        )
        .order_by("-month")[:months]
    )
    return list(rows)


__all__ = [
    "COUNT_FIELDS",
    "MEASURE_FIELDS",
    "QUANTITY_FIELDS",
    "UsageInput",
    "UsageWriteOutcome",
    "usage_count",
    "usage_measures_parse",
    "usage_month_check",
    "usage_quantity",
    "usage_record",
    "usage_totals",
    "usages_check",
    "usages_record_bulk",
]
