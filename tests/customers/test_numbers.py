import itertools

import pytest
from django.core.exceptions import ValidationError

from customers.models import Customer
from customers.services import PartyInput, customer_create
from customers.services.numbers import (
    customer_numbers_allocate,
    customer_serials_allocate,
    format_customer_number,
    is_well_formed_customer_number,
    luhn_check_digit,
)
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    ("serial", "digit"),
    [(7992739871, 3), (0, 0), (1, 8), (42, 2), (1234567, 4)],
)
def test_check_digit_is_the_luhn_digit(serial, digit):
    assert luhn_check_digit(serial) == digit


def test_customer_number_is_c_seven_digits_and_a_check_digit():
    assert format_customer_number(42) == "C00000422"


@pytest.mark.parametrize("number", ["C00000422", "c00000422", " C12345674 "])
def test_well_formed_numbers_are_recognised(number):
    assert is_well_formed_customer_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "C00000423",  # wrong check digit
        "C00000242",  # two digits swapped
        "D00000422",
        "C0000042",
        "C0000042X",
        "",
    ],
)
def test_mistyped_numbers_are_caught(number):
    assert not is_well_formed_customer_number(number)


@pytest.mark.django_db
def test_created_customers_get_well_formed_unique_strictly_increasing_numbers():
    numbers = [CustomerFactory().number for _ in range(5)]

    assert all(is_well_formed_customer_number(number) for number in numbers)
    assert len(set(numbers)) == 5
    serials = [int(number[1:-1]) for number in numbers]
    assert serials == sorted(serials)
    assert all(later > earlier for earlier, later in itertools.pairwise(serials))


@pytest.mark.django_db
def test_allocating_a_batch_reserves_consecutive_serials_after_the_last_one():
    before = customer_serials_allocate(1)[0]

    batch = customer_serials_allocate(3)

    assert batch == [before + 1, before + 2, before + 3]
    assert customer_serials_allocate(1) == [before + 4]


@pytest.mark.django_db
def test_allocating_nothing_reserves_nothing():
    before = customer_serials_allocate(1)[0]

    assert customer_serials_allocate(0) == []
    assert customer_serials_allocate(1) == [before + 1]


@pytest.mark.django_db
def test_allocated_numbers_are_formatted_customer_numbers():
    numbers = customer_numbers_allocate(2)

    assert len(numbers) == 2
    assert all(is_well_formed_customer_number(number) for number in numbers)


@pytest.mark.django_db
def test_the_number_of_a_deleted_customer_is_never_issued_again():
    customer = CustomerFactory()
    number = customer.number
    party = customer.party
    customer.delete()
    party.delete()

    after = CustomerFactory()

    assert after.number != number
    assert int(after.number[1:-1]) > int(number[1:-1])


@pytest.mark.django_db
def test_a_rolled_back_create_leaves_no_customer_and_takes_no_number_from_later_ones():
    before = CustomerFactory()
    with pytest.raises(ValidationError):
        customer_create(
            party=PartyInput(given_name="Rolled", family_name="Back"),
            actor=None,
            segment="no such segment",
        )

    after = CustomerFactory()

    assert Customer.objects.count() == 2
    assert int(after.number[1:-1]) > int(before.number[1:-1])
