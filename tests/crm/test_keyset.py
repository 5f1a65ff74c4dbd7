"""The one keyset pager every list uses: pages forwards and back, and a tampered cursor is a
message the page shows, never a server error."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from crm.keyset import cursor_encode, keyset_page
from customers import roles
from customers.models import Customer, LatestScores
from risk.selectors import retention_work_list
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_pages_walk_forwards_and_back_in_the_order_given():
    made = [CustomerFactory(family_name=f"Page{n}") for n in range(5)]
    everyone = Customer.objects.all()

    first = keyset_page(everyone, order=("-id",), page_size=2)
    second = keyset_page(everyone, order=("-id",), after=first.next_cursor, page_size=2)
    last = keyset_page(everyone, order=("-id",), after=second.next_cursor, page_size=2)
    back = keyset_page(everyone, order=("-id",), before=second.previous_cursor, page_size=2)

    newest_first = [c.pk for c in reversed(made)]
    assert [c.pk for c in first.rows + second.rows + last.rows] == newest_first
    assert first.previous_cursor is None and last.next_cursor is None
    assert [c.pk for c in back.rows] == newest_first[:2]


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%",
        cursor_encode(["abc"]),
        cursor_encode([None]),
        cursor_encode([{"id": 1}]),
        cursor_encode([1, 2]),
    ],
)
def test_a_tampered_cursor_is_a_validation_error(cursor):
    with pytest.raises(ValidationError):
        keyset_page(Customer.objects.all(), order=("-id",), after=cursor, page_size=2)


def test_the_customer_list_answers_a_tampered_cursor_with_a_message(client):
    agent = UserFactory(username="alice")
    agent.groups.add(Group.objects.get(name=roles.AGENT))
    client.force_login(agent)

    response = client.get(reverse("customers:list"), {"after": cursor_encode(["abc"])})

    assert response.status_code == 200
    assert "page link is broken" in response.content.decode()


def _scores_of(customer, value_at_risk: str) -> LatestScores:
    return LatestScores.objects.create(
        customer=customer,
        churn_risk=0.5,
        credit_score=600,
        credit_rating="C",
        fraud_risk=0.1,
        influence=0.0,
        lifetime_value=Decimal("1000.00"),
        value_segment="standard",
        value_at_risk=Decimal(value_at_risk),
        scored_at=timezone.now(),
    )


def test_the_retention_list_pages_through_equal_values_by_customer():
    active = [CustomerFactory(status=Customer.Status.ACTIVE) for _ in range(4)]
    for customer, value in zip(active, ["50.00", "80.00", "80.00", "80.00"], strict=True):
        _scores_of(customer, value)

    first = retention_work_list(page_size=2)
    second = retention_work_list(page_size=2, after=first.next_cursor)
    back = retention_work_list(page_size=2, before=second.previous_cursor)

    most_at_risk_first = [active[3], active[2], active[1], active[0]]
    assert [row.customer for row in first.rows + second.rows] == most_at_risk_first
    assert second.next_cursor is None
    assert back.rows == first.rows


@pytest.mark.parametrize(
    "list_name",
    [
        "customers:list",
        "customers:open_interactions",
        "partners:deliveries",
        "risk:retention",
        "satisfaction:responses",
    ],
)
@pytest.mark.parametrize("cursor", [cursor_encode(["abc", "x"]), "%%%"])
def test_every_paged_list_answers_a_broken_page_link_with_a_message(
    admin_client, list_name, cursor
):
    response = admin_client.get(reverse(list_name), {"after": cursor})

    assert response.status_code == 200
    assert "page link" in response.content.decode()
