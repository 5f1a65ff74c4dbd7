"""Two requests for the same thing at the same moment: one wins, the other is told, nothing doubles.

Each thread has its own database connection, so the transactions really overlap (PostgreSQL in
CI; SQLite serialises writers on its write lock).
"""

import threading

import pytest
from django.db import connection

from customers.models import ContactMedium, Customer

from .conftest import ApiClient, individual, partner_with_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tasks_in_process")]


def _at_once(*requests):
    """Run each callable in its own thread, released together; return their responses."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def run(index, request):
        try:
            barrier.wait(timeout=10)
            responses[index] = request()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return responses


def test_two_creates_with_one_reference_make_one_customer():
    _, token = partner_with_token("Race Mobile")
    body = individual(
        "Rita", "Race", characteristic=[{"name": "externalReference", "value": "R-1"}]
    )

    responses = _at_once(
        lambda: ApiClient(token).post("/customer", body),
        lambda: ApiClient(token).post("/customer", body),
    )

    assert sorted(r.status_code for r in responses) == [201, 409]
    assert Customer.objects.filter(partner_reference="R-1").count() == 1


def test_two_patches_of_the_contact_media_leave_one_of_the_two_sets_whole():
    _, token = partner_with_token("Race Mobile")
    api = ApiClient(token)
    number = api.post("/customer", individual("Rita", "Race")).json()["id"]

    def replace_with(*addresses):
        media = [{"@type": "EmailContactMedium", "emailAddress": a} for a in addresses]
        return lambda: ApiClient(token).patch(f"/customer/{number}", {"contactMedium": media})

    responses = _at_once(
        replace_with("one@race.example", "two@race.example"),
        replace_with("three@race.example"),
    )

    assert [r.status_code for r in responses] == [200, 200]
    values = set(
        ContactMedium.objects.filter(party__customer__number=number).values_list("value", flat=True)
    )
    assert values in ({"one@race.example", "two@race.example"}, {"three@race.example"})
