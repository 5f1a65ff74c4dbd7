"""Credit reasons read as sentences about the customer. A fact that does not apply to the
customer (a person's age for an organisation) is scored as not known and never given as a
reason; an age without a birth date is not known either, not age 0."""

from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from customers.models import Customer
from risk import services
from risk.defaults import CREDIT
from risk.features import NAMES, NO_CONTRACT_DAYS, FeatureTable, features_as_of
from risk.models import RiskModel, ScoreKind
from risk.scorers import _credit_phrase, credit_score
from tests.factories import CustomerFactory, ProductFactory, SubscriptionFactory


def _numeric(name, bins, missing=0.0):
    entries = [{"below": below, "label": label, "points": points} for below, label, points in bins]
    return {
        "name": name,
        "type": "numeric",
        "bins": entries,
        "missing": {"label": "not known", "points": missing},
        "best_points": max(missing, *(points for _, _, points in bins)),
    }


# A card as training makes it from the CRM's history, age among its characteristics.
CARD = {
    "characteristics": [
        _numeric(
            "age", [(29, "under 29", -30.0), (45, "29 to under 45", 0.0), (None, "45+", 10.0)]
        ),
        _numeric("pays_direct_debit", [(1, "under 1", -15.0), (None, "1 or more", 10.0)]),
        _numeric("tenure_months", [(6, "under 6", -20.0), (None, "6 or more", 5.0)]),
        _numeric("unpaid_balance", [(1, "under 1", 10.0), (None, "1 or more", -40.0)]),
    ],
    "base_points": 600.0,
    "offset": CREDIT["offset"],
    "factor": CREDIT["factor"],
}


def _table(**columns) -> FeatureTable:
    n = len(next(iter(columns.values())))
    values = np.zeros((n, len(NAMES)))
    values[:, NAMES.index("contract_ends_in_days")] = NO_CONTRACT_DAYS
    for name, column in columns.items():
        values[:, NAMES.index(name)] = column
    return FeatureTable(customer_ids=np.arange(n), values=values)


def test_a_persons_age_is_never_a_credit_reason_for_an_organisation():
    table = _table(
        organization=[1, 0],
        age=[0, 23],
        age_known=[0, 1],
        pays_direct_debit=[1, 1],
        tenure_months=[24, 24],
    )

    scored = credit_score(table, CARD)

    company, person = scored.reasons
    assert company == []
    assert person == ["aged 23"]
    # The company's age is not known (0 points), not "under 29" (-30).
    assert scored.values.tolist() == [600 + 0 + 10 + 5 + 10, 600 - 30 + 10 + 5 + 10]


def test_an_unknown_birth_date_is_scored_as_not_known_and_said_so():
    table = _table(age=[0], age_known=[0], pays_direct_debit=[1], tenure_months=[24])

    scored = credit_score(table, CARD)

    assert scored.values.tolist() == [600 + 0 + 10 + 5 + 10]
    assert scored.reasons == [["birth date not known"]]


def test_credit_reasons_are_the_customers_own_facts_in_words_worst_first():
    table = _table(
        age=[52], age_known=[1], pays_direct_debit=[0], tenure_months=[3], unpaid_balance=[120.5]
    )

    assert credit_score(table, CARD).reasons == [
        ["€120.50 overdue", "customer for 3 months", "does not pay by direct debit"]
    ]


def test_a_zero_count_is_no_reason_even_where_none_scores_below_one():
    card = {
        **CARD,
        "characteristics": [
            _numeric(
                "late_invoices_12m",
                [(1, "under 1", 40.0), (3, "1 to 2", 45.0), (None, "3 or more", -30.0)],
            ),
        ],
    }

    reasons = credit_score(_table(late_invoices_12m=[0, 4]), card).reasons

    assert reasons == [[], ["4 late payments in the last 12 months"]]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("value", [0.0, 1.0, 3.0, None])
def test_every_feature_as_a_credit_reason_reads_as_words_never_as_its_column(name, value):
    said = _credit_phrase(name, value)

    assert "_" not in said and ":" not in said  # never "age in years (0 when unknown): …"
    if value is not None and value > 0:
        assert said and said != f"{name.replace('_', ' ')} {value:g}"  # nor the bare fallback


def test_known_values_leave_out_what_is_not_known_or_does_not_apply():
    table = _table(organization=[1, 0, 0], age=[0, 0, 40], age_known=[0, 0, 1], senior=[0, 0, 0])

    assert table.known_values("age") == [None, None, 40.0]
    assert table.known_values("senior") == [None, None, 0.0]
    assert table.known_values("age_known") == [None, 0.0, 1.0]
    assert table.applies("age").tolist() == [False, True, True]
    assert table.applies("tenure_months").tolist() == [True, True, True]


# --- Through the database ---------------------------------------------------------------------


def _holding_a_product(**customer):
    customer = CustomerFactory(status=Customer.Status.ACTIVE, **customer)
    SubscriptionFactory(
        customer=customer,
        product=ProductFactory(code="CREDIT-PLAN", list_price=Decimal("30.00")),
        start_date=timezone.localdate() - timedelta(days=400),
    )
    return customer


@pytest.mark.django_db
def test_an_organisation_is_told_apart_from_a_person_in_the_features():
    company = _holding_a_product(organisation=True)
    person = _holding_a_product(birth_date=date(1990, 1, 1))

    table = features_as_of(timezone.localdate(), ids=[company.pk, person.pk])

    assert table.row(company.pk)["organization"] == 1
    assert table.row(person.pk)["organization"] == 0
    assert table.row(person.pk)["age_known"] == 1


@pytest.mark.django_db
def test_an_organisations_page_gives_credit_reasons_without_an_age(client, analyst):
    company = _holding_a_product(organisation=True)
    RiskModel.objects.create(
        kind=ScoreKind.CREDIT,
        version=1,
        artifact=CARD,
        as_of=timezone.localdate(),
        horizon_days=365,
        training_rows=0,
        trained_at=timezone.now(),
        trained_by_label="test",
        is_active=True,
        activated_at=timezone.now(),
    )

    score = services.customer_rescore(customer=company)
    client.force_login(analyst)
    page = client.get(company.get_absolute_url()).content.decode()

    said = ["customer for less than a month", "does not pay by direct debit"]
    assert score.reasons["credit"] == said  # 25 points each below the best; no age
    assert f"<strong>Credit</strong> lowered by: {'; '.join(said)}" in page
