"""Customer numbers: human-readable, with a check digit, issued once and never again."""

from django.db import connection, transaction
from django.db.models import F

from customers.models import CustomerNumberCounter

SEQUENCE = "customer_number_seq"


def luhn_check_digit(number: int) -> int:
    total = 0
    for position, digit in enumerate(reversed(str(number))):
        value = int(digit)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


def format_customer_number(serial: int) -> str:
    """'C' + seven digits + a Luhn check digit, so a mistyped number is caught at once."""
    return f"C{serial:07d}{luhn_check_digit(serial)}"


def is_well_formed_customer_number(value: str) -> bool:
    value = value.strip().upper()
    if len(value) < 9 or value[0] != "C" or not value[1:].isdigit():
        return False
    serial, check = int(value[1:-1]), int(value[-1])
    return luhn_check_digit(serial) == check


def customer_serials_allocate(count: int = 1) -> list[int]:
    """Reserve ``count`` serials.

    On PostgreSQL a rolled-back create leaves a gap in the sequence. On SQLite the counter row
    rolls back with the create, so a number that was never stored goes to the next customer;
    either way no two stored customers, past or present, ever share a number.
    """
    if count < 1:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{SEQUENCE}') FROM generate_series(1, %s)", [count])
            return [row[0] for row in cursor.fetchall()]
    with transaction.atomic():
        counter, _ = CustomerNumberCounter.objects.select_for_update().get_or_create(name=SEQUENCE)
        CustomerNumberCounter.objects.filter(pk=counter.pk).update(
            last_value=F("last_value") + count
        )
        counter.refresh_from_db()
        first = counter.last_value - count + 1
    return list(range(first, counter.last_value + 1))


def customer_numbers_allocate(count: int = 1) -> list[str]:
    return [format_customer_number(serial) for serial in customer_serials_allocate(count)]
