"""Amounts in the reasons of a score are told in the customer's currency, with the separators of
the product's locale, as every page shows money; the feature table carries each customer's
currency from the read it already makes."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer
from risk import services
from risk.defaults import CREDIT
from risk.features import NAMES, NO_CONTRACT_DAYS, FeatureTable, features_as_of
from risk.scorers import churn_score, credit_score, value_score
from tests.factories import CustomerFactory, InvoiceFactory, ProductFactory, SubscriptionFactory


def _table(currencies: tuple[str, ...], **columns) -> FeatureTable:
    values = np.zeros((len(currencies), len(NAMES)))
    values[:, NAMES.index("contract_ends_in_days")] = NO_CONTRACT_DAYS
    for name, column in columns.items():
        values[:, NAMES.index(name)] = column
    return FeatureTable(
        customer_ids=np.arange(len(currencies)), values=values, currencies=currencies
    )


def test_the_value_reason_tells_the_margin_in_each_customers_currency():
    table = _table(("EUR", "GBP"), monthly_margin=[34505.81, 34505.81])

    reasons = value_score(table, np.zeros(2), {"horizon_months": 36}).reasons

    assert [said[0] for said in reasons] == [
        "keeps €34,505.81 a month",
        "keeps £34,505.81 a month",
    ]


def test_churn_reasons_tell_what_is_paid_and_overdue_in_the_customers_currency():
    model = {
        "features": ["unpaid_balance", "monthly_charges"],
        "mean": [0.0, 0.0],
        "scale": [1.0, 1.0],
        "coef": [0.1, 0.01],
        "intercept": -3.0,
    }
    table = _table(("USD",), unpaid_balance=[12.0], monthly_charges=[70.0])

    assert churn_score(table, model).reasons == [["US$12.00 overdue", "pays US$70.00 a month"]]


def test_a_credit_reason_tells_the_overdue_amount_in_the_customers_currency():
    card = {
        **CREDIT,
        "characteristics": [
            {
                "name": "unpaid_balance",
                "type": "numeric",
                "bins": [{"below": 1, "points": 10.0}, {"below": None, "points": -40.0}],
                "missing": {"points": 0.0},
                "best_points": 10.0,
            }
        ],
    }
    table = _table(("GBP", "EUR"), unpaid_balance=[1200.5, 1200.5])

    assert credit_score(table, card).reasons == [["£1,200.50 overdue"], ["€1,200.50 overdue"]]


def test_amounts_follow_the_products_locale(settings):
    settings.CRM_LOCALE = "de_DE"
    table = _table(("EUR",), monthly_margin=[34505.81])

    reasons = value_score(table, np.zeros(1), {"horizon_months": 36}).reasons

    assert reasons[0][0] == "keeps 34.505,81\xa0€ a month"


def _established(currency: str, charge: str = "30.00") -> Customer:
    customer = CustomerFactory(status=Customer.Status.ACTIVE, currency=currency)
    SubscriptionFactory(
        customer=customer,
        product=ProductFactory(code="BB-AMOUNTS", list_price=Decimal("30.00")),
        monthly_charge=Decimal(charge),
        start_date=timezone.localdate() - timedelta(days=400),
    )
    return customer


@pytest.mark.django_db
def test_the_feature_table_carries_each_customers_currency_without_a_query_per_customer():
    pounds, euros, crowns = _established("GBP"), _established("EUR"), _established("SEK")
    today = timezone.localdate()

    with CaptureQueriesContext(connection) as for_one:
        one = features_as_of(today, ids=[pounds.pk])
    with CaptureQueriesContext(connection) as for_three:
        three = features_as_of(today, ids=[pounds.pk, euros.pk, crowns.pk])

    assert one.currencies == ("GBP",)
    by_customer = dict(zip(three.customer_ids.tolist(), three.currencies, strict=True))
    assert by_customer == {pounds.pk: "GBP", euros.pk: "EUR", crowns.pk: "SEK"}
    assert len(for_three.captured_queries) == len(for_one.captured_queries)


@pytest.mark.django_db
def test_a_rescore_tells_the_margin_in_the_customers_currency():
    customer = _established("GBP", charge="30.00")
    InvoiceFactory(
        customer=customer,
        issued_on=timezone.localdate() - timedelta(days=100),
        amount=Decimal("30.00"),
    )

    score = services.customer_rescore(customer=customer)

    # 30.00 a month at the factory's 35 % margin.
    assert score.reasons["value"][0] == "keeps £10.50 a month"
