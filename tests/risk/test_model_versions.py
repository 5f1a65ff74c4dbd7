"""A retrained model replaces the active one only when it is at least as good on the same
held-out customers; otherwise it waits as a candidate that analysts may promote, and any
activation can be rolled back.

The credit history here is built so that the outcome of each run of the test is known: the
held-out customers (``risk.training.held_out``) default exactly when their declared income is
low, and the version in use knows that; the rest default for every third customer whatever
their income, so a new card learns nothing from income and scores everyone alike.
"""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from sklearn.metrics import roc_auc_score

from customers.models import ActionLog, Customer
from risk import defaults, services
from risk.features import NAMES, FeatureTable
from risk.models import CreditApplication, RiskModel, ScoreKind
from risk.scorers import churn_score
from risk.training import churn_fit, held_out
from tests.factories import CustomerFactory, InvoiceFactory, ProductFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

AS_OF = timezone.localdate() - timedelta(days=365)


def _credit_history(count: int = 120, *, income_tells_in_training: bool) -> int:
    """Customers with a declared monthly income, some defaulting after AS_OF. Returns the
    income under which the held-out customers default."""
    product = ProductFactory(code="DEVICE-PLAN", list_price=Decimal("30.00"))
    customers = []
    for n in range(count):
        customer = CustomerFactory(status=Customer.Status.ACTIVE, family_name=f"Applicant {n}")
        SubscriptionFactory(
            customer=customer, product=product, start_date=AS_OF - timedelta(days=30)
        )
        customers.append(customer)
    income = {c.pk: 1000 + 10 * n for n, c in enumerate(customers)}
    CreditApplication.objects.bulk_create(
        CreditApplication(
            customer=c,
            applied_on=AS_OF - timedelta(days=10),
            characteristics={"monthly_income": income[c.pk]},
        )
        for c in customers
    )
    ids = np.array([c.pk for c in customers])
    tested = set(ids[held_out(ids)].tolist())
    tested_in_order = [c for c in customers if c.pk in tested]
    trained_in_order = [c for c in customers if c.pk not in tested]
    bad = tested_in_order[: len(tested_in_order) // 3]  # the lowest incomes
    if income_tells_in_training:
        bad += trained_in_order[: len(trained_in_order) // 3]
    else:
        bad += trained_in_order[::3]  # every third, whatever the income
    for customer in bad:  # an invoice falling due after AS_OF, never paid
        InvoiceFactory(customer=customer, issued_on=AS_OF + timedelta(days=10))
    return max(income[c.pk] for c in tested_in_order[: len(tested_in_order) // 3]) + 5


def _active_card(version: int, artifact: dict) -> RiskModel:
    """The version in use, as an earlier training or release left it."""
    return RiskModel.objects.create(
        kind=ScoreKind.CREDIT,
        version=version,
        artifact=artifact,
        as_of=AS_OF - timedelta(days=30),
        horizon_days=365,
        training_rows=0,
        trained_at=timezone.now() - timedelta(days=30),
        trained_by_label="earlier",
        is_active=True,
        activated_at=timezone.now() - timedelta(days=30),
    )


def _income_card(threshold: int) -> dict:
    return {
        "characteristics": [
            {
                "name": "monthly_income",
                "type": "numeric",
                "bins": [
                    {"below": threshold, "label": f"under {threshold}", "points": -60.0},
                    {"below": None, "label": f"{threshold} or more", "points": 20.0},
                ],
                "missing": {"label": "not known", "points": 0.0},
                "best_points": 20.0,
            }
        ],
        "base_points": 580.0,
        "offset": defaults.CREDIT["offset"],
        "factor": defaults.CREDIT["factor"],
    }


def test_a_retrained_model_worse_on_the_same_held_out_customers_is_kept_as_a_candidate():
    threshold = _credit_history(income_tells_in_training=False)
    active = _active_card(1, _income_card(threshold))

    new = services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)

    assert (new.version, new.is_active, new.activated_at) == (2, False, None)
    assert RiskModel.objects.get(kind="credit", is_active=True) == active
    assert new.metrics["roc_auc"] < 0.65  # learned next to nothing from noise
    compared = new.metrics["compared_with"]
    assert (compared["version"], compared["roc_auc"]) == (1, 1.0)
    assert "brier" in compared
    entry = ActionLog.objects.get(action="risk_model.trained")
    assert entry.customer is None
    assert entry.data["activated"] is False and entry.data["version"] == 2


def test_a_retrained_model_at_least_as_good_on_the_same_customers_becomes_active():
    _credit_history(income_tells_in_training=True)
    expert = _active_card(1, defaults.CREDIT)  # reads late payments: there are none here

    new = services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)

    assert new.is_active and new.activated_at is not None
    expert.refresh_from_db()
    assert not expert.is_active
    assert new.metrics["roc_auc"] > new.metrics["compared_with"]["roc_auc"] == 0.5
    assert ActionLog.objects.get(action="risk_model.trained").data["replaced_version"] == 1


def test_the_first_model_of_a_kind_becomes_active_whatever_its_figures():
    _credit_history(income_tells_in_training=False)

    first = services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)

    assert first.is_active and first.version == 1
    assert "compared_with" not in first.metrics


def test_the_version_in_use_is_measured_on_the_new_versions_held_out_customers():
    rng = np.random.default_rng(3)
    values = np.zeros((400, len(NAMES)))
    complaints = rng.integers(0, 4, 400)
    values[:, NAMES.index("complaints_90d")] = complaints
    values[:, NAMES.index("tenure_months")] = rng.integers(1, 60, 400)
    left = (rng.random(400) < 0.05 + 0.2 * complaints).astype(np.int64)
    customer_ids = np.arange(1000, 1400)

    params, metrics = churn_fit(values, left, customer_ids=customer_ids, incumbent=defaults.CHURN)

    test = held_out(customer_ids)
    rows = FeatureTable(customer_ids=customer_ids[test], values=values[test])
    in_use = roc_auc_score(left[test], churn_score(rows, defaults.CHURN, reasons=0).values)
    new = roc_auc_score(left[test], churn_score(rows, params, reasons=0).values)
    assert metrics["held_out_rows"] == int(test.sum())
    assert metrics["compared_with"]["roc_auc"] == round(in_use, 4)
    assert metrics["roc_auc"] == round(new, 4)  # the stored version itself, never fitted on them


def test_a_version_in_use_that_can_no_longer_read_the_features_gives_way():
    rng = np.random.default_rng(5)
    values = np.zeros((300, len(NAMES)))
    values[:, NAMES.index("complaints_90d")] = complaints = rng.integers(0, 4, 300)
    left = (rng.random(300) < 0.05 + 0.2 * complaints).astype(np.int64)
    gone = {**defaults.CHURN, "features": ["a_feature_since_removed"], "coef": [1.0]}
    gone.update(mean=[0.0], scale=[1.0])

    _, metrics = churn_fit(values, left, incumbent=gone)

    assert metrics["compared_with"]["error"].startswith("cannot score these customers")
    assert services.holds_its_own(metrics)


def test_the_train_command_says_when_a_new_version_is_kept_as_a_candidate():
    threshold = _credit_history(income_tells_in_training=False)
    _active_card(1, _income_card(threshold))
    out = StringIO()

    call_command(
        "train_model", "credit", "--as-of", AS_OF.isoformat(), "--horizon-days", "365", stdout=out
    )

    assert "Credit v2 is kept as a candidate: no evidence it ranks better" in out.getvalue()
    assert "Promote it on the risk page" in out.getvalue()


def test_the_held_out_customers_are_the_same_quarter_at_every_training():
    ids = np.arange(1, 40_001)

    first, again = held_out(ids), held_out(ids[::-1])[::-1]

    assert (first == again).all()
    assert 0.24 < first.mean() < 0.26


# --- Promote and roll back --------------------------------------------------------------------


def _versions(*, active: int, count: int = 3) -> list[RiskModel]:
    """Churn versions 1..count, each activated in turn up to ``active``; the rest candidates."""
    start = timezone.now() - timedelta(days=count)
    models = []
    for version in range(1, count + 1):
        activated = start + timedelta(days=version) if version <= active else None
        models.append(
            RiskModel.objects.create(
                kind=ScoreKind.CHURN,
                version=version,
                artifact=defaults.CHURN,
                as_of=AS_OF,
                horizon_days=90,
                training_rows=500,
                metrics={"roc_auc": 0.7 + version / 100},
                trained_at=start + timedelta(days=version),
                trained_by_label="weekly retrain",
                is_active=version == active,
                activated_at=activated,
            )
        )
    return models


def test_promoting_a_candidate_makes_it_the_one_active_version_and_is_audited(analyst):
    *_, v3 = _versions(active=2)

    services.model_promote(model=v3, actor=analyst)

    assert list(RiskModel.objects.filter(kind="churn", is_active=True)) == [v3]
    v3.refresh_from_db()
    assert v3.activated_at is not None
    entry = ActionLog.objects.get(action="risk_model.promoted")
    assert (entry.actor, entry.customer) == (analyst, None)
    assert entry.data == {"kind": "churn", "version": 3, "replaced_version": 2}


def test_promoting_the_active_version_is_refused(analyst):
    _, v2, _ = _versions(active=2)

    with pytest.raises(ValidationError, match="already the active version"):
        services.model_promote(model=v2, actor=analyst)


def test_a_roll_back_returns_to_the_version_active_before_the_current_one(analyst):
    _, v2, v3 = _versions(active=2)
    services.model_promote(model=v3, actor=analyst)

    back = services.model_roll_back(kind="churn", actor=analyst)

    assert back == v2
    assert RiskModel.objects.get(kind="churn", is_active=True) == v2
    entry = ActionLog.objects.get(action="risk_model.rolled_back")
    assert entry.data == {"kind": "churn", "version": 2, "rolled_back_version": 3}
    # From v2, a roll back undoes the last change of version, to v3.
    assert services.model_roll_back(kind="churn", actor=analyst) == v3


def test_a_roll_back_with_no_earlier_active_version_is_refused_with_a_reason(analyst):
    _versions(active=1)

    with pytest.raises(ValidationError, match="No churn risk version was active before"):
        services.model_roll_back(kind="churn", actor=analyst)


# --- The analysts' page and admin -------------------------------------------------------------


def test_the_page_shows_a_candidate_beside_the_active_version_with_promote_and_roll_back(
    client, analyst
):
    threshold = _credit_history(income_tells_in_training=False)
    _active_card(1, _income_card(threshold))
    services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)
    _versions(active=2)
    client.force_login(analyst)

    page = client.get(reverse("risk:overview")).content.decode()

    assert "Candidate v2 beside active v1" in page
    assert "Kept as a candidate: no evidence it ranks better: AUC gain over v1" in page
    assert " against 1.0)" in page
    candidate = RiskModel.objects.get(kind="credit", version=2)
    assert f'action="{reverse("risk:model_promote", args=[candidate.pk])}"' in page
    assert 'data-confirm="Make v2 the active credit model in place of v1?' in page
    assert "Candidate v3 beside active v2" in page  # churn, with a roll back to v1
    assert f'action="{reverse("risk:model_roll_back", args=["churn"])}"' in page
    assert "Roll back to v1" in page


def test_a_version_rolled_back_from_is_not_offered_again_as_a_candidate(client, analyst):
    _, _, v3 = _versions(active=2)
    services.model_promote(model=v3, actor=analyst)
    services.model_roll_back(kind="churn", actor=analyst)
    client.force_login(analyst)

    page = client.get(reverse("risk:overview")).content.decode()

    assert "Candidate v3" not in page
    assert f'action="{reverse("risk:model_promote", args=[v3.pk])}"' not in page


def test_an_analyst_promotes_and_rolls_back_from_the_page(client, analyst):
    _, v2, v3 = _versions(active=2)
    client.force_login(analyst)

    promoted = client.post(reverse("risk:model_promote", args=[v3.pk]), follow=True)
    rolled_back = client.post(reverse("risk:model_roll_back", args=["churn"]), follow=True)

    assert "Churn risk v3 is now the active version" in promoted.content.decode()
    assert "Churn risk v2 is the active version again" in rolled_back.content.decode()
    assert RiskModel.objects.get(kind="churn", is_active=True) == v2


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [("get", "risk:model_promote", [1]), ("get", "risk:model_roll_back", ["churn"])],
)
def test_promote_and_roll_back_change_nothing_on_a_get(client, analyst, method, name, args):
    _versions(active=2)
    client.force_login(analyst)

    assert getattr(client, method)(reverse(name, args=args)).status_code == 405


def test_agents_may_not_promote_or_roll_back(client, agent):
    _, v2, v3 = _versions(active=2)
    client.force_login(agent)

    assert client.post(reverse("risk:model_promote", args=[v3.pk])).status_code == 403
    assert client.post(reverse("risk:model_roll_back", args=["churn"])).status_code == 403
    assert RiskModel.objects.get(kind="churn", is_active=True) == v2


def test_an_unknown_version_or_kind_is_a_404(client, analyst):
    client.force_login(analyst)

    assert client.post(reverse("risk:model_promote", args=[999_999])).status_code == 404
    assert client.post(reverse("risk:model_roll_back", args=["luck"])).status_code == 404


def test_the_admin_actions_promote_and_roll_back_through_the_services(client, analyst):
    _, v2, v3 = _versions(active=2)
    client.force_login(analyst)
    changelist = reverse("admin:risk_riskmodel_changelist")

    client.post(
        changelist, {"action": "promote", helpers.ACTION_CHECKBOX_NAME: [v3.pk]}, follow=True
    )
    assert RiskModel.objects.get(kind="churn", is_active=True) == v3
    client.post(
        changelist, {"action": "roll_back", helpers.ACTION_CHECKBOX_NAME: [v3.pk]}, follow=True
    )

    assert RiskModel.objects.get(kind="churn", is_active=True) == v2
    assert [e.action for e in ActionLog.objects.order_by("pk")] == [
        "risk_model.promoted",
        "risk_model.rolled_back",
    ]
