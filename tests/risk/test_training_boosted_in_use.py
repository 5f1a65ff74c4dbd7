"""Boosted models in use: a rescore and a scoring run read churn and credit from whatever
artifact is active, through the one dispatch in ``risk.boosting``."""

from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from customers.models import Customer, LatestScores
from risk import services
from risk.boosting import churn_boosted_fit, churn_probability
from risk.features import features_as_of
from risk.models import RiskModel, ScoreKind
from risk.training import credit_fit
from tests.factories import CustomerFactory, InteractionFactory, ProductFactory, SubscriptionFactory
from tests.risk.test_boosting import planted_churn, planted_credit

pytestmark = pytest.mark.django_db


def _in_use(kind: str, artifact: dict) -> RiskModel:
    return RiskModel.objects.create(
        kind=kind,
        version=1,
        artifact=artifact,
        as_of=timezone.localdate() - timedelta(days=90),
        horizon_days=90,
        training_rows=3000,
        trained_at=timezone.now(),
        is_active=True,
        activated_at=timezone.now(),
    )


def _customer(contacts: int) -> Customer:
    customer = CustomerFactory(status=Customer.Status.ACTIVE, family_name=f"Calls {contacts}")
    SubscriptionFactory(
        customer=customer,
        product=ProductFactory(code=f"MOB-{contacts}", list_price=Decimal("30.00")),
        monthly_charge=Decimal("30.00"),
        start_date=timezone.localdate() - timedelta(days=400),
    )
    for _ in range(contacts):
        InteractionFactory(customer=customer)
    return customer


def test_a_rescore_with_a_boosted_churn_model_gives_its_probability_and_reasons_in_words():
    table, left = planted_churn()
    artifact = churn_boosted_fit(table.values, left)
    _in_use(ScoreKind.CHURN, artifact)
    calls_a_lot, quiet = _customer(6), _customer(0)

    busy = services.customer_rescore(customer=calls_a_lot)
    calm = services.customer_rescore(customer=quiet)

    features = features_as_of(timezone.localdate(), ids=[calls_a_lot.pk])
    expected = churn_probability(features, artifact).values[0]
    assert float(busy.churn_risk) == pytest.approx(expected, abs=1e-4)
    assert busy.churn_risk > calm.churn_risk + 0.3
    assert busy.reasons["churn"][0] == "6 contacts in the last 90 days"
    assert LatestScores.objects.get(customer=calls_a_lot).churn_risk == busy.churn_risk


def test_a_rescore_with_boosted_credit_scores_from_the_trees_and_explains_with_the_card():
    characteristics, bad = planted_credit()
    artifact, metrics = credit_fit(characteristics, bad)
    assert metrics["chosen"] == "boosted"
    _in_use(ScoreKind.CREDIT, artifact)
    customer = _customer(0)
    customer.credit_applications.create(
        applied_on=timezone.localdate() - timedelta(days=5),
        characteristics={"monthly_income": 4500, "housing": "rent"},
    )

    scored = services.customer_rescore(customer=customer)

    bad_odds = 1 / (1 + np.exp((scored.credit_score - artifact["offset"]) / artifact["factor"]))
    assert bad_odds > 0.3  # renting on a high income: the trees' risky corner
    assert scored.credit_rating == "E"
    assert all("_" not in reason for reason in scored.reasons["credit"])
