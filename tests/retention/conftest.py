"""Staff who may start campaigns and record outcomes, and many active customers at once."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from customers.models import Customer, LatestScores, Party
from tests.customers.conftest import agent, analyst, manager  # noqa: F401  (fixtures)


def granted(user, *names: str):
    """``user`` holding ``names`` ("app.codename") on top of their role's permissions."""
    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # A fresh instance: the permission cache of the old one is stale.
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def campaigner(analyst):  # noqa: F811
    """A risk analyst who may start campaigns (retention.start_campaign)."""
    return granted(analyst, "retention.start_campaign", "retention.view_campaign")


@pytest.fixture
def outcome_agent(agent):  # noqa: F811
    """An agent who records what came of retention actions."""
    return granted(agent, "retention.record_outcome", "retention.view_campaign")


@pytest.fixture
def seeded(db):
    """``seeded(n)`` makes n active, scored customers in a few bulk inserts; returns their ids."""
    made = {"count": 0}

    def make(count: int, *, status: str = Customer.Status.ACTIVE) -> list[int]:
        start, now = made["count"], timezone.now()
        made["count"] += count
        parties = Party.objects.bulk_create(
            Party(
                kind=Party.Kind.INDIVIDUAL,
                given_name="Seeded",
                family_name=f"Customer {start + n}",
                display_name=f"Seeded Customer {start + n}",
                name_key=f"seeded customer {start + n}",
            )
            for n in range(count)
        )
        customers = Customer.objects.bulk_create(
            Customer(
                number=f"RT{start + n:08d}",
                party=party,
                status=status,
                status_changed_at=now,
                valid_from=now,
                last_activity_at=now,
            )
            for n, party in enumerate(parties)
        )
        LatestScores.objects.bulk_create(
            LatestScores(
                customer=customer,
                churn_risk=0.3,
                credit_score=600,
                credit_rating="B",
                fraud_risk=0.01,
                influence=0.0,
                lifetime_value=Decimal("1200.00"),
                value_segment=LatestScores.ValueSegment.STANDARD,
                value_at_risk=Decimal("360.00"),
                scored_at=now,
            )
            for customer in customers
        )
        return [customer.pk for customer in customers]

    return make
