"""The figures of statements, read for a whole chunk of customers at once: one query for the
customers due, one for their invoices, one for their payments and one for their addresses,
whatever the number of customers (never a query per customer).

Balance: what the customer owes us. Opening = everything invoiced before the period minus
everything paid before it; closing = opening + invoiced in the period - paid in it. A
negative balance is a credit.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import BigIntegerField, Case, F, Max, Q, Sum, When

from customers.models import CommunicationPreferences, ContactMedium, Customer, Invoice, Payment

from .models import Format, Frequency
from .periods import Period

ZERO = Decimal("0.00")
STATUSES_DUE = (Customer.Status.ACTIVE, Customer.Status.SUSPENDED)


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    issued_on: date
    due_on: date
    amount: Decimal


@dataclass(frozen=True)
class PaymentLine:
    received_on: date
    method: str
    reference: str
    amount: Decimal


@dataclass
class StatementFigures:
    """Everything a statement shows: the HTML and the PDF are both written from this."""

    customer: Customer
    period: Period
    period_start: date
    frequency: str
    format: str
    itemised: bool
    language: str
    currency: str
    address: list[str] = field(default_factory=list)
    opening_balance: Decimal = ZERO
    invoices: list[InvoiceLine] = field(default_factory=list)
    payments: list[PaymentLine] = field(default_factory=list)

    @property
    def period_end(self) -> date:
        return self.period.last_day

    @property
    def invoiced(self) -> Decimal:
        return sum((line.amount for line in self.invoices), ZERO)

    @property
    def paid(self) -> Decimal:
        return sum((line.amount for line in self.payments), ZERO)

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.invoiced - self.paid

    @property
    def holder_name(self) -> str:
        return self.customer.name or self.customer.party.display_name


def customers_due(period: Period, *, first_id: int, last_id: int):
    """Customers of the id range who get a statement closing with ``period`` and have none yet:
    active and suspended customers whose frequency falls due this month, and customers
    terminated during the month (their final statement, whatever their frequency)."""
    month = (period.first_day, period.last_day)
    terminated_this_month = Q(status=Customer.Status.TERMINATED, valid_to__date__range=month)
    frequency_due = Q(preferences__isnull=True) | Q(
        preferences__statement_frequency=Frequency.MONTHLY
    )
    if period.ends_quarter:
        frequency_due = Q()
    return (
        Customer.objects.filter(pk__gte=first_id, pk__lte=last_id)
        .filter((Q(status__in=STATUSES_DUE) & frequency_due) | terminated_this_month)
        # A relationship that began after the month has nothing to state for it yet.
        .filter(valid_from__date__lte=period.last_day)
        .exclude(statements__period=str(period))
        .select_related("party", "preferences")
        .order_by("pk")
    )


def statement_figures(customers: list[Customer], period: Period) -> list[StatementFigures]:
    """The figures of each customer's statement closing with ``period``."""
    figures = {customer.pk: _figures_started(customer, period) for customer in customers}
    if not figures:
        return []
    _add_invoices(figures, period)
    _add_payments(figures, period)
    _add_addresses(figures)
    return list(figures.values())


def _figures_started(customer: Customer, period: Period) -> StatementFigures:
    try:
        preferences = customer.preferences
    except CommunicationPreferences.DoesNotExist:
        preferences = CommunicationPreferences(customer=customer)
    return StatementFigures(
        customer=customer,
        period=period,
        period_start=period.first_day_for(preferences.statement_frequency),
        frequency=preferences.statement_frequency,
        format=preferences.statement_format or Format.EMAIL,
        itemised=preferences.itemised_statement,
        language=preferences.language or "en",
        currency=customer.currency,
    )


def _lines_and_earlier_totals(rows, *, date_field: str, lines_from: date):
    """Group billing rows so that one query serves every customer: each row dated from
    ``lines_from`` (the quarter's first day, the earliest start of any statement of the run)
    is a group of its own, a line; everything before is one group per customer, a total."""
    return (
        rows.annotate(
            line=Case(
                When(**{f"{date_field}__gte": lines_from}, then=F("pk")),
                default=None,
                output_field=BigIntegerField(),
            )
        )
        .values("customer_id", "line")
        .annotate(total=Sum("amount"))
        .order_by()
    )


def _add_invoices(figures: dict[int, StatementFigures], period: Period) -> None:
    rows = _lines_and_earlier_totals(
        Invoice.objects.filter(customer_id__in=list(figures), issued_on__lte=period.last_day),
        date_field="issued_on",
        lines_from=period.quarter_first_day,
    ).annotate(
        line_number=Max("number"), line_issued_on=Max("issued_on"), line_due_on=Max("due_on")
    )
    for row in rows:
        statement = figures[row["customer_id"]]
        # A line before the customer's own start (a monthly customer in a quarter's last
        # month) counts in the opening balance like the totals before the quarter.
        if row["line"] is None or row["line_issued_on"] < statement.period_start:
            statement.opening_balance += row["total"]
            continue
        statement.invoices.append(
            InvoiceLine(
                number=row["line_number"],
                issued_on=row["line_issued_on"],
                due_on=row["line_due_on"],
                amount=row["total"],
            )
        )
    for statement in figures.values():
        statement.invoices.sort(key=lambda line: (line.issued_on, line.number))


def _add_payments(figures: dict[int, StatementFigures], period: Period) -> None:
    rows = _lines_and_earlier_totals(
        Payment.objects.filter(customer_id__in=list(figures), received_on__lte=period.last_day),
        date_field="received_on",
        lines_from=period.quarter_first_day,
    ).annotate(
        line_received_on=Max("received_on"),
        line_method=Max("method"),
        line_reference=Max("reference"),
    )
    for row in rows:
        statement = figures[row["customer_id"]]
        if row["line"] is None or row["line_received_on"] < statement.period_start:
            statement.opening_balance -= row["total"]
            continue
        statement.payments.append(
            PaymentLine(
                received_on=row["line_received_on"],
                method=row["line_method"],
                reference=row["line_reference"],
                amount=row["total"],
            )
        )
    for statement in figures.values():
        statement.payments.sort(key=lambda line: (line.received_on, line.reference))


def _add_addresses(figures: dict[int, StatementFigures]) -> None:
    """Each customer's postal address (the preferred one first) for the letter's window."""
    by_party = {statement.customer.party_id: statement for statement in figures.values()}
    media = ContactMedium.objects.filter(
        party_id__in=list(by_party), kind=ContactMedium.Kind.POSTAL, valid_to__isnull=True
    ).order_by("party_id", "-is_preferred", "id")
    for medium in media.only("party_id", "value", "street", "postcode", "city", "country"):
        statement = by_party[medium.party_id]
        if statement.address:
            continue
        if medium.street:
            town = " ".join(part for part in (medium.postcode, medium.city) if part)
            statement.address = [medium.street, town, medium.country]
        else:
            statement.address = [medium.value]
        statement.address = [line for line in statement.address if line]
