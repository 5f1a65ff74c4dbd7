"""Customer features for the value and risk models, as of a given day, in bulk.

Each fact comes from one grouped query per table for a whole set of customers (a chunk of a
scoring run, or one customer for a rescore), never a query per customer. Everything is read as
it stood at ``as_of``: subscriptions active that day, invoices issued and payments made by then,
contacts in the months before. Training takes features as of a past day and the outcome from
the days after it, so no model learns from what it is meant to predict.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Count, F, FloatField, Q, Sum, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from crm.sealed import decrypted_dates
from customers.models import (
    CommunicationPreferences,
    Customer,
    CustomerRelationship,
    Interaction,
    Invoice,
    Party,
    Product,
    Subscription,
    UsageSummary,
)
from satisfaction.selectors import answers_by_customer

FAMILIES = ("mobile", "broadband", "fixed_voice", "tv", "bundle", "device", "add_on")
PAYMENT_METHODS = ("direct_debit", "card", "bank_transfer", "cash")
OPTIONS = tuple(option for option in Product.Option.values if option)
ACCESSES = tuple(access for access in Product.Access.values if access)
# Monthly averages over the last three complete months: the feature and the usage column.
USAGE_AVERAGES = {
    "usage_minutes_day": "voice_minutes_day",
    "usage_calls_day": "voice_calls_day",
    "usage_minutes_evening": "voice_minutes_evening",
    "usage_calls_evening": "voice_calls_evening",
    "usage_minutes_night": "voice_minutes_night",
    "usage_calls_night": "voice_calls_night",
    "usage_minutes_international": "voice_minutes_international",
    "usage_calls_international": "voice_calls_international",
    "usage_data_gb": "data_mb",
    "usage_sms": "sms_count",
    "usage_roaming_minutes": "roaming_minutes",
    "usage_voicemail": "voicemail_messages",
}
USAGE_MONTHS = 3
_MINUTES = (
    "voice_minutes_day",
    "voice_minutes_evening",
    "voice_minutes_night",
    "voice_minutes_international",
)

# Name and meaning of every column, in order. Counts are plain counts; money is in the
# customer's currency (``FeatureTable.currencies``); days and months are whole numbers.
COLUMNS = {
    "tenure_months": "months since the relationship began",
    "age": "age in years (0 when unknown)",
    "age_known": "1 when the birth date is known",
    "senior": "1 at 65 or over",
    "business": "1 for business and wholesale segments",
    "organization": "1 when the customer is an organisation, not a person",
    "active_products": "subscriptions active on the day",
    "monthly_charges": "monthly charges of the active subscriptions",
    "monthly_margin": "what the enterprise keeps of the monthly charges",
    "subscriptions_30d": "active subscriptions started in the last 30 days",
    "contract_months": "longest contract term among active subscriptions",
    "month_to_month": "1 when no active subscription has a contract term",
    "contract_ends_in_days": "days until the next contract end (999 with no contract)",
    **{
        f"family_{family}": f"active {family.replace('_', ' ')} subscriptions"
        for family in FAMILIES
    },
    "billed_12m": "amount invoiced in the last 12 months",
    "invoices_12m": "invoices issued in the last 12 months",
    "late_invoices_6m": "invoices due in the last 6 months paid late or not paid",
    "late_invoices_12m": "invoices due in the last 12 months paid late or not paid",
    "unpaid_balance": "amount of invoices due and not paid on the day",
    "unpaid_60d": "invoices unpaid 60 days or more after their due date",
    "complaints_90d": "complaints in the last 90 days",
    "complaints_365d": "complaints in the last 12 months",
    "interactions_90d": "contacts on any channel in the last 90 days",
    "billing_contacts_90d": "billing contacts in the last 90 days",
    "survey_answers_365d": "survey answers in the last 12 months",
    "negative_answers_365d": "detractor, dissatisfied or hard-effort answers in 12 months",
    "positive_answers_365d": "promoter, satisfied or easy-effort answers in 12 months",
    "household_links": "household members known",
    "referrals_made": "customers this one referred",
    **{
        f"pays_{method}": f"1 when paying by {method.replace('_', ' ')}"
        for method in PAYMENT_METHODS
    },
    "paper_statements": "1 when statements go out on paper",
    **{
        f"option_{option}": f"active subscriptions giving the {option.replace('_', ' ')} option"
        for option in OPTIONS
    },
    **{
        f"access_{access}": f"active subscriptions delivered over {access.replace('_', ' ')}"
        for access in ACCESSES
    },
    # Usage: only months that ended before the day count (a month in progress is incomplete).
    "usage_months": "months with usage recorded among the last 3 complete months",
    "usage_minutes_day": "day minutes a month, average of the last 3 complete months",
    "usage_calls_day": "day calls a month, average of the last 3 complete months",
    "usage_minutes_evening": "evening minutes a month, average of the last 3 complete months",
    "usage_calls_evening": "evening calls a month, average of the last 3 complete months",
    "usage_minutes_night": "night minutes a month, average of the last 3 complete months",
    "usage_calls_night": "night calls a month, average of the last 3 complete months",
    "usage_minutes_international": "international minutes a month, average of 3 complete months",
    "usage_calls_international": "international calls a month, average of 3 complete months",
    "usage_data_gb": "data in GB a month, average of the last 3 complete months",
    "usage_sms": "SMS a month, average of the last 3 complete months",
    "usage_roaming_minutes": "roaming minutes a month, average of the last 3 complete months",
    "usage_voicemail": "voicemail messages a month, average of the last 3 complete months",
    "service_calls_1m": "calls to customer service in the last complete month",
    "service_calls_3m": "calls to customer service in the last 3 complete months",
    "usage_minutes_trend": "last complete month's minutes against the 3-month average, as a "
    "change (-0.5: half as many; 0 without usage)",
}
NAMES = tuple(COLUMNS)
# The columns holding an amount of money: a reason tells them in the customer's currency.
AMOUNTS = ("monthly_charges", "monthly_margin", "billed_12m", "unpaid_balance")
NO_CONTRACT_DAYS = 999
# Facts about a person: they do not apply to an organisation (whose "age" is just 0).
PERSONAL = ("age", "age_known", "senior")
# Known only when the birth date is.
_FROM_BIRTH_DATE = ("age", "senior")


@dataclass(frozen=True)
class FeatureTable:
    """One row per customer, one column per name in ``NAMES``."""

    customer_ids: np.ndarray  # int64, ascending
    values: np.ndarray  # float64, shape (customers, columns)
    # Per row, the ISO 4217 currency of the customer's amounts; empty: the product's default.
    currencies: tuple[str, ...] = ()

    def currency(self, index: int) -> str:
        return self.currencies[index] if self.currencies else settings.CRM_CURRENCY

    def column(self, name: str) -> np.ndarray:
        return self.values[:, NAMES.index(name)]

    def applies(self, name: str) -> np.ndarray:
        """Per row, whether the feature means anything for that customer: a person's age does
        not for an organisation."""
        if name in PERSONAL:
            return self.column("organization") == 0
        return np.ones(len(self), dtype=bool)

    def known_values(self, name: str) -> list[float | None]:
        """The column with None where the fact is not known (an age without a birth date) or
        does not apply: a scorecard scores those in its "not known" bin, not as age 0."""
        unknown = ~self.applies(name)
        if name in _FROM_BIRTH_DATE:
            unknown |= self.column("age_known") == 0
        return [
            None if missing else value
            for value, missing in zip(self.column(name).tolist(), unknown.tolist(), strict=True)
        ]

    def row(self, customer_id: int) -> dict[str, float]:
        index = int(np.searchsorted(self.customer_ids, customer_id))
        if index >= len(self.customer_ids) or self.customer_ids[index] != customer_id:
            raise KeyError(customer_id)
        return dict(zip(NAMES, self.values[index].tolist(), strict=True))

    def __len__(self) -> int:
        return len(self.customer_ids)


def _scope(first_id: int | None, last_id: int | None, ids) -> Q:
    if ids is not None:
        return Q(customer_id__in=list(ids))
    return Q(customer_id__gte=first_id, customer_id__lte=last_id)


def _months_between(start: date, end: date) -> int:
    return max((end.year - start.year) * 12 + end.month - start.month - (end.day < start.day), 0)


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise ValueError(day)


def features_as_of(
    as_of: date,
    *,
    first_id: int | None = None,
    last_id: int | None = None,
    ids=None,
    established_only: bool = True,
) -> FeatureTable:
    """Features of the customers with ids in [first_id, last_id], or of ``ids``.

    With ``established_only`` (scoring and training), only customers holding at least one
    subscription active on the day are included: leads and former customers have no risk to
    score.
    """
    scope = _scope(first_id, last_id, ids)
    live_subscription = Q(start_date__lte=as_of) & (
        Q(end_date__isnull=True) | Q(end_date__gt=as_of)
    )
    by_customer: dict[int, dict[str, float]] = defaultdict(dict)
    held = _subscription_columns(Subscription.objects.filter(scope & live_subscription), as_of)
    established = held.ids.tolist() if established_only else None

    # The other tables are read for the whole scope; rows of customers left out are dropped.
    customers = list(
        Customer.objects.filter(_scope_on_pk(first_id, last_id, ids))
        # The birth date as its ciphertext, decrypted below in one batch.
        .annotate(sealed_birth_date=Cast("party__birth_date", TextField()))
        .values_list(
            "pk",
            "valid_from",
            "segment",
            "payment_method",
            "sealed_birth_date",
            "party__kind",
            "currency",
        )
    )
    if established_only:
        holding = set(established)
        customers = [row for row in customers if row[0] in holding]
    birth_dates = decrypted_dates(row[4] for row in customers)
    currency_of: dict[int, str] = {}
    local = timezone.get_current_timezone()  # as timezone.localdate, once for every row
    for (pk, valid_from, segment, payment_method, _, party_kind, currency), birth_date in zip(
        customers, birth_dates, strict=True
    ):
        currency_of[pk] = currency
        row = by_customer[pk]
        row["tenure_months"] = (
            _months_between(valid_from.astimezone(local).date(), as_of) if valid_from else 0
        )
        if birth_date:
            age = (
                as_of.year
                - birth_date.year
                - ((as_of.month, as_of.day) < (birth_date.month, birth_date.day))
            )
            row["age"], row["age_known"], row["senior"] = age, 1, float(age >= 65)
        row["business"] = float(segment != Customer.Segment.RESIDENTIAL)
        row["organization"] = float(party_kind == Party.Kind.ORGANIZATION)
        if payment_method:
            row[f"pays_{payment_method}"] = 1

    year_ago, half_year_ago = as_of - timedelta(days=365), as_of - timedelta(days=182)
    unpaid_on_day = Q(paid_on__isnull=True) | Q(paid_on__gt=as_of)
    late = Q(paid_on__gt=F("due_on")) | unpaid_on_day
    # Rows are counted by their customer, not their id: the index by customer holds every
    # column read here but the id, and reading the id would take the scan to the table.
    invoices = _grouped_columns(
        Invoice.objects.filter(scope, issued_on__lte=as_of),
        billed_12m=_real(Sum("amount", filter=Q(issued_on__gt=year_ago))),
        invoices_12m=Count("customer", filter=Q(issued_on__gt=year_ago)),
        late_invoices_6m=Count(
            "customer", filter=Q(due_on__gt=half_year_ago, due_on__lt=as_of) & late
        ),
        late_invoices_12m=Count("customer", filter=Q(due_on__gt=year_ago, due_on__lt=as_of) & late),
        unpaid_balance=_real(Sum("amount", filter=Q(due_on__lt=as_of) & unpaid_on_day)),
        unpaid_60d=Count(
            "customer", filter=Q(due_on__lt=as_of - timedelta(days=60)) & unpaid_on_day
        ),
    )

    quarter_ago = as_of - timedelta(days=90)
    contacts = _grouped_columns(
        Interaction.objects.filter(
            scope, occurred_at__date__lte=as_of, occurred_at__date__gt=year_ago
        ),
        complaints_90d=Count(
            "customer", filter=Q(kind="complaint", occurred_at__date__gt=quarter_ago)
        ),
        complaints_365d=Count("customer", filter=Q(kind="complaint")),
        interactions_90d=Count("customer", filter=Q(occurred_at__date__gt=quarter_ago)),
        billing_contacts_90d=Count(
            "customer", filter=Q(kind="billing", occurred_at__date__gt=quarter_ago)
        ),
    )

    _merge(by_customer, answers_by_customer(scope, as_of))

    usage = _usage_columns(scope, as_of)

    link_scope = _rename(scope, "from_customer_id")
    for customer_id, kind, count in (
        CustomerRelationship.objects.filter(link_scope, created_at__date__lte=as_of)
        .values_list("from_customer_id", "kind")
        .annotate(count=Count("pk"))
    ):
        _add_link(by_customer, customer_id, kind, count, outgoing=True)
    for customer_id, kind, count in (
        CustomerRelationship.objects.filter(
            _rename(scope, "to_customer_id"), created_at__date__lte=as_of
        )
        .values_list("to_customer_id", "kind")
        .annotate(count=Count("pk"))
    ):
        _add_link(by_customer, customer_id, kind, count, outgoing=False)

    for customer_id, statement_format in CommunicationPreferences.objects.filter(scope).values_list(
        "customer_id", "statement_format"
    ):
        if customer_id in by_customer:
            by_customer[customer_id]["paper_statements"] = float(
                statement_format == CommunicationPreferences.StatementFormat.PAPER
            )

    columns = (held, invoices, contacts, usage)
    return _table(by_customer, established, currency_of, columns=columns)


def last_complete_month(as_of: date) -> date:
    """The first day of the newest month that had ended before ``as_of``: usage of the month
    in progress is incomplete, and reading it would compare part of a month with whole ones."""
    return _add_months(as_of.replace(day=1), -1)


def _real(total):
    return Cast(total, output_field=FloatField())


@dataclass(frozen=True)
class _Columns:
    """Feature columns read for a set of customers: ``ids`` ascending, one array per name."""

    ids: np.ndarray
    values: dict[str, np.ndarray]


_USAGE_SUMS = ("minutes_total", "minutes_last", "service_calls_1m", "service_calls_3m")


def _usage_columns(scope: Q, as_of: date) -> _Columns:
    """Usage of the last three complete months, with one grouped query: monthly averages over
    the months with usage recorded, calls to customer service, and the trend of minutes,
    computed column-wise."""
    last = last_complete_month(as_of)
    first = _add_months(last, 1 - USAGE_MONTHS)
    minutes = sum((F(name) for name in _MINUTES[1:]), F(_MINUTES[0]))
    last_month = Q(month=last)
    sums = {
        "months": Count("month", distinct=True),
        "minutes_total": _real(Sum(minutes)),
        "minutes_last": _real(Sum(minutes, filter=last_month)),
        "service_calls_1m": _real(Sum("service_calls", filter=last_month)),
        "service_calls_3m": _real(Sum("service_calls")),
        **{feature: _real(Sum(column)) for feature, column in USAGE_AVERAGES.items()},
    }
    grouped = _grouped_columns(
        UsageSummary.objects.filter(scope, month__gte=first, month__lte=last), **sums
    )
    read = grouped.values
    months = read["months"]
    values = {"usage_months": months}
    for feature in USAGE_AVERAGES:
        values[feature] = read[feature] / months
    values["usage_data_gb"] = values["usage_data_gb"] / 1024
    values["service_calls_1m"] = read["service_calls_1m"]
    values["service_calls_3m"] = read["service_calls_3m"]
    average = read["minutes_total"] / months
    values["usage_minutes_trend"] = (
        np.divide(read["minutes_last"], average, out=np.ones_like(average), where=average > 0) - 1
    )
    return _Columns(ids=grouped.ids, values=values)


def _grouped_columns(rows, **aggregates) -> _Columns:
    """``aggregates`` of ``rows`` per customer, with one grouped query read as one float array
    straight from the cursor: tens of thousands of rows through the ORM's converters and a dict
    per customer would cost more than the query. A sum over no row (NULL) reads 0."""
    grouped = (
        rows.values("customer_id")
        .annotate(**aggregates)
        .values_list("customer_id", *aggregates)
        .order_by("customer_id")
    )
    sql, params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        read = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, len(aggregates) + 1)
    read = np.nan_to_num(read)
    return _Columns(
        ids=read[:, 0].astype(np.int64), values=dict(zip(aggregates, read[:, 1:].T, strict=True))
    )


def _subscription_columns(subscriptions, as_of: date) -> _Columns:
    """What the subscriptions active on the day say about each customer holding one, column by
    column: counts by family, option and access network, charges and margin, recent starts,
    and the longest contract term with the days until the next contract end."""
    products = list(Product.objects.values_list("pk", "family", "margin_rate", "option", "access"))
    product_ids = np.array([product[0] for product in products], dtype=np.int64)
    order = np.argsort(product_ids)
    rows = subscriptions.annotate(charge=_real(F("monthly_charge"))).values_list(
        "customer_id", "product_id", "charge", "contract_term_months", "start_date"
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        read = cursor.fetchall()
    if not read:
        return _Columns(ids=np.empty(0, dtype=np.int64), values={})
    customer_ids, product_of, charge, term, start = zip(*read, strict=True)
    ids, row_of = np.unique(np.array(customer_ids, dtype=np.int64), return_inverse=True)
    product_of = np.array(product_of, dtype=np.int64)
    product = order[np.searchsorted(product_ids, product_of, sorter=order)]
    charge = np.array(charge, dtype=np.float64)
    term = np.array([months or 0 for months in term], dtype=np.int64)
    start = np.array(start, dtype="datetime64[D]")
    day = np.datetime64(as_of, "D")

    def per_customer(weights) -> np.ndarray:
        return np.bincount(row_of, weights=weights, minlength=len(ids))

    def counted(names, labels, of_product) -> dict[str, np.ndarray]:
        label = np.array([of_product(p) for p in products], dtype=object)[product]
        return {f"{names}_{value}": per_customer(label == value) for value in labels}

    margin = np.array([float(p[2]) for p in products])[product]
    values = {
        "active_products": per_customer(None),
        "monthly_charges": per_customer(charge),
        "monthly_margin": per_customer(charge * margin),
        "subscriptions_30d": per_customer(start > day - np.timedelta64(30, "D")),
        **counted("family", FAMILIES, lambda p: p[1]),
        **counted("option", OPTIONS, lambda p: p[3]),
        **counted("access", ACCESSES, lambda p: p[4]),
    }
    contract_months = np.zeros(len(ids))
    np.maximum.at(contract_months, row_of, term)
    ends_in = np.full(len(ids), 9999.0)
    bound = term > 0
    days = _days_to_next_contract_end(start[bound], term[bound], day)
    np.minimum.at(ends_in, row_of[bound], days)
    values["contract_months"], values["contract_ends_in_days"] = contract_months, ends_in
    return _Columns(ids=ids, values=values)


def _days_to_next_contract_end(start: np.ndarray, term: np.ndarray, day: np.datetime64):
    """Days from ``day`` to the next end of each contract (started on ``start``, for ``term``
    months): a contract renews for another term each time it runs out. As ``_months_between``
    and ``_add_months`` count, for whole arrays."""
    month = start.astype("datetime64[M]")
    start_day = (start - month.astype("datetime64[D]")).astype(np.int64) + 1
    today_month = day.astype("datetime64[M]")
    today_day = int((day - today_month.astype("datetime64[D]")).astype(np.int64)) + 1
    months = (today_month - month).astype(np.int64) - (today_day < start_day)
    periods = np.maximum(months, 0) // term + 1
    end = _months_added(month, start_day, periods * term)
    late = end <= day  # an anniversary moved to the month's end (29 February …)
    while late.any():
        periods[late] += 1
        end[late] = _months_added(month[late], start_day[late], periods[late] * term[late])
        late = end <= day
    return (end - day).astype(np.int64)


def _months_added(month: np.ndarray, start_day: np.ndarray, months: np.ndarray) -> np.ndarray:
    """The day ``months`` after the given day of ``month``, on the month's last day when it is
    shorter."""
    target = month + months.astype("timedelta64[M]")
    first = target.astype("datetime64[D]")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - first).astype(np.int64)
    return first + (np.minimum(start_day, length) - 1).astype("timedelta64[D]")


def _scope_on_pk(first_id, last_id, ids) -> Q:
    if ids is not None:
        return Q(pk__in=list(ids))
    return Q(pk__gte=first_id, pk__lte=last_id)


def _rename(scope: Q, field: str) -> Q:
    """The same customer scope on another column (relationships have two customer columns)."""
    lookups = {key.replace("customer_id", field, 1): value for key, value in scope.children}
    return Q(**lookups)


def _merge(by_customer: dict, grouped) -> None:
    for entry in grouped:
        customer_id = entry.pop("customer_id")
        if customer_id in by_customer:
            row = by_customer[customer_id]
            for name, value in entry.items():
                if value:
                    row[name] = float(value)


def _add_link(by_customer, customer_id: int, kind: str, count: int, *, outgoing: bool) -> None:
    if customer_id not in by_customer:
        return
    row = by_customer[customer_id]
    if kind == CustomerRelationship.Kind.HOUSEHOLD:
        row["household_links"] = row.get("household_links", 0) + count
    elif kind == CustomerRelationship.Kind.REFERRED_BY and not outgoing:
        # "A referred_by B" is stored from A to B: B made the referral.
        row["referrals_made"] = row.get("referrals_made", 0) + count


def _table(
    by_customer: dict[int, dict[str, float]],
    ids: list[int] | None,
    currency_of: dict[int, str],
    *,
    columns: tuple[_Columns, ...] = (),
) -> FeatureTable:
    ordered = ids if ids is not None else sorted(by_customer)
    values = np.zeros((len(ordered), len(NAMES)), dtype=np.float64)
    position = {name: i for i, name in enumerate(NAMES)}
    contract_column = position["contract_ends_in_days"]
    values[:, contract_column] = NO_CONTRACT_DAYS
    for row_index, customer_id in enumerate(ordered):
        for name, value in by_customer[customer_id].items():
            values[row_index, position[name]] = value
    ordered_ids = np.asarray(ordered, dtype=np.int64)
    for read in columns:
        rows = np.searchsorted(ordered_ids, read.ids)
        kept = rows < len(ordered_ids)
        kept[kept] = ordered_ids[rows[kept]] == read.ids[kept]
        for name, column in read.values.items():
            values[rows[kept], position[name]] = column[kept]
    month_to_month = values[:, position["contract_months"]] == 0
    values[:, position["month_to_month"]] = month_to_month
    values[month_to_month, contract_column] = NO_CONTRACT_DAYS
    default = settings.CRM_CURRENCY
    return FeatureTable(
        customer_ids=ordered_ids,
        values=values,
        currencies=tuple(currency_of.get(pk) or default for pk in ordered),
    )


def _count(value: float, word: str) -> str:
    amount = round(value, 1)
    shown = f"{amount:g}"
    return f"{shown} {word}" if amount == 1 else f"{shown} {word}s"


def _trend_phrase(value: float) -> str:
    if value <= -1:
        return "stopped calling last month"
    if value < 0:
        return f"calls {round(-value * 100):.0f} % less than in the months before"
    return f"calls {round(value * 100):.0f} % more than in the months before"


def _lowered(label: str) -> str:
    """A label inside a sentence: "Copper (DSL)" reads "copper (DSL)"."""
    return label[:1].lower() + label[1:]


# How a churn reason reads for each usage, option and access feature (``risk.scorers._phrase``).
PHRASES = {
    "usage_months": lambda v: f"usage known for {_count(v, 'month')} of the last 3",
    "usage_minutes_day": lambda v: f"{_count(v, 'daytime minute')} a month",
    "usage_calls_day": lambda v: f"{_count(v, 'daytime call')} a month",
    "usage_minutes_evening": lambda v: f"{_count(v, 'evening minute')} a month",
    "usage_calls_evening": lambda v: f"{_count(v, 'evening call')} a month",
    "usage_minutes_night": lambda v: f"{_count(v, 'night minute')} a month",
    "usage_calls_night": lambda v: f"{_count(v, 'night call')} a month",
    "usage_minutes_international": lambda v: f"{_count(v, 'international minute')} a month",
    "usage_calls_international": lambda v: f"{_count(v, 'international call')} a month",
    "usage_data_gb": lambda v: f"{round(v, 1):g} GB of data a month",
    "usage_sms": lambda v: f"{_count(v, 'SMS message')} a month",
    "usage_roaming_minutes": lambda v: f"{_count(v, 'roaming minute')} a month",
    "usage_voicemail": lambda v: f"{_count(v, 'voicemail message')} a month",
    "service_calls_1m": lambda v: f"{_count(v, 'call')} to customer service last month",
    "service_calls_3m": lambda v: f"{_count(v, 'call')} to customer service in 3 months",
    "usage_minutes_trend": _trend_phrase,
    **{
        f"option_{option}": (
            lambda v, label=label: label if v <= 1 else f"{label} ({_count(v, 'subscription')})"
        )
        for option, label in (
            (option, f"has the {Product.Option(option).label.lower()} option") for option in OPTIONS
        )
    },
    **{
        f"access_{access}": (
            lambda v, label=label: label if v <= 1 else f"{label} ({_count(v, 'line')})"
        )
        for access, label in (
            (access, f"connected over {_lowered(Product.Access(access).label)}")
            for access in ACCESSES
        )
    },
}
