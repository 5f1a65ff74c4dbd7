"""Drift: a run compares the customers it scores with those each model learned on (PSI per
feature and of the score), and alerts the analysts when they no longer look alike."""

from datetime import timedelta
from types import SimpleNamespace

import numpy as np
import pytest
from django.utils import timezone

from customers.models import ActionLog, Customer, Subscription
from risk import defaults, drift, runs, services
from risk.boosting import churn_probability
from risk.features import NAMES, FeatureTable, features_as_of
from risk.models import RiskModel, ScoreKind, ScoringChunk, ScoringRun
from tests.risk.test_model_versions import AS_OF, _credit_history
from work.models import Notification

pytestmark = pytest.mark.django_db


# --- PSI and bins -----------------------------------------------------------------------------


def test_the_psi_of_identical_distributions_is_zero():
    rng = np.random.default_rng(1)
    training = rng.normal(50, 10, 5_000)
    spec = drift.bins_of(training)

    assert drift.psi(drift.bin_counts(training, spec), spec["shares"]) == pytest.approx(0, abs=1e-6)


def test_the_psi_of_a_shifted_distribution_is_past_the_alert_threshold():
    rng = np.random.default_rng(2)
    spec = drift.bins_of(rng.normal(50, 10, 5_000))
    shifted = rng.normal(62, 10, 5_000)  # moved by more than a standard deviation

    value = drift.psi(drift.bin_counts(shifted, spec), spec["shares"])

    assert value > drift.ALERT_ABOVE
    assert drift.drift_status(value) == "alert"


def test_a_small_shift_is_told_apart_from_stable_and_alert():
    assert drift.drift_status(0.05) == "stable"
    assert drift.drift_status(0.1) == "shift"
    assert drift.drift_status(0.25) == "shift"
    assert drift.drift_status(0.26) == "alert"


def test_a_feature_with_few_values_is_binned_by_value_with_a_bin_for_unseen_ones():
    spec = drift.bins_of(np.array([0, 0, 1, 1, 1, 2]))

    assert spec["values"] == [0, 1, 2]
    assert spec["shares"] == pytest.approx([2 / 6, 3 / 6, 1 / 6, 0], abs=1e-5)
    assert drift.bin_counts(np.array([1, 2, 7, 0.5]), spec).tolist() == [0, 1, 1, 2]
    assert drift.bin_labels(spec) == ["0", "1", "2", "other"]


def test_a_many_valued_feature_is_binned_by_the_deciles_of_its_training():
    spec = drift.bins_of(np.arange(1, 1001, dtype=float))

    assert len(spec["edges"]) == 9
    assert spec["shares"] == pytest.approx([0.1] * 10, abs=0.002)


# --- The reference a trained model keeps ------------------------------------------------------


def test_a_trained_model_takes_its_reference_from_the_base_on_the_day_it_is_trained():
    _credit_history(income_tells_in_training=True)

    model = services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)

    everyone = list(Customer.objects.values_list("pk", flat=True))
    reference, today = model.reference, features_as_of(timezone.localdate(), ids=everyone)
    assert set(reference["features"]) == set(drift.CREDIT_FEATURES)
    assert reference["rows"] == reference["scored_rows"] == len(today)
    assert sum(reference["score"]["shares"]) == pytest.approx(1, abs=1e-4)
    # A run over the same base, unchanged, finds no drift in any feature.
    for name, kept in reference["features"].items():
        counts = drift.bin_counts(today.column(name), kept)
        assert drift.psi(counts, kept["shares"]) == pytest.approx(0, abs=1e-6), name


# --- A scoring run measures drift ---------------------------------------------------------------


def _churn_model_trained_on_today(customers) -> RiskModel:
    """The active churn model, its reference taken from these customers as they are today: a
    run over them unchanged finds no drift."""
    today = timezone.localdate()
    table = features_as_of(today, ids=[c.pk for c in customers])
    scores = np.round(churn_probability(table, defaults.CHURN, reasons=0).values, 4)
    return RiskModel.objects.create(
        kind=ScoreKind.CHURN,
        version=1,
        artifact=defaults.CHURN,
        as_of=today,
        horizon_days=90,
        training_rows=len(table),
        reference=drift.reference_of(ScoreKind.CHURN, table, scores),
        trained_at=timezone.now(),
        trained_by_label="test",
        is_active=True,
        activated_at=timezone.now(),
    )


def _run_every_chunk(chunk_size: int = 10) -> ScoringRun:
    run = runs.scoring_run_start(chunk_size=chunk_size)
    for chunk_id in runs.scoring_pending_chunks(run_id=run.pk):
        runs.scoring_chunk_run(chunk_id=chunk_id)
    run.refresh_from_db()
    return run


def test_a_run_over_customers_as_they_were_finds_them_stable_and_alerts_nobody(
    established, analyst
):
    customers = established(30)
    _churn_model_trained_on_today(customers)

    run = _run_every_chunk()

    churn = run.drift[ScoreKind.CHURN]
    assert run.status == ScoringRun.Status.DONE
    assert churn["rows"] == 30
    assert churn["status"] == "stable" and churn["alerts"] == []
    assert churn["score_psi"] == pytest.approx(0, abs=1e-6)
    assert not ActionLog.objects.filter(action="risk_model.drift_alert").exists()
    assert not Notification.objects.exists()


def test_a_run_over_customers_whose_facts_shifted_alerts_the_analysts_and_the_audit_log(
    established, analyst
):
    customers = established(30)
    _churn_model_trained_on_today(customers)
    # Every plan now costs ten times what it did when the model learned.
    for subscription in Subscription.objects.filter(customer__in=customers):
        Subscription.objects.filter(pk=subscription.pk).update(
            monthly_charge=subscription.monthly_charge * 10
        )

    run = _run_every_chunk()

    churn = run.drift[ScoreKind.CHURN]
    assert churn["status"] == "alert"
    assert "monthly_charges" in churn["alerts"]
    assert churn["features"]["monthly_charges"] > drift.ALERT_ABOVE
    assert churn["features"]["age_known"] == 0  # what did not move stays stable
    entry = ActionLog.objects.get(action="risk_model.drift_alert")
    assert entry.customer is None and entry.actor_label == f"scoring run {run.pk}"
    assert entry.data["run"] == run.pk and "monthly_charges" in entry.data["alerts"]
    assert entry.data["text"].startswith("Drift alert on the churn risk model: PSI above 0.25")
    notice = Notification.objects.get(recipient=analyst)
    assert notice.kind == Notification.Kind.ALERT and notice.text == entry.data["text"]
    assert notice.link_url == "/risk/#drift-h"


def test_a_chunk_delivered_twice_is_counted_once(established):
    customers = established(25)
    _churn_model_trained_on_today(customers)
    run = runs.scoring_run_start(chunk_size=10)
    first, *others = runs.scoring_pending_chunks(run_id=run.pk)

    assert runs.scoring_chunk_run(chunk_id=first) > 0
    counted = ScoringChunk.objects.get(pk=first).drift_counts
    # The second delivery of the same chunk (a redelivered message) finds it done.
    assert runs.scoring_chunk_run(chunk_id=first) == 0
    assert ScoringChunk.objects.get(pk=first).drift_counts == counted
    for chunk_id in others:
        runs.scoring_chunk_run(chunk_id=chunk_id)

    run.refresh_from_db()
    assert run.drift[ScoreKind.CHURN]["rows"] == 25
    assert sum(counted[ScoreKind.CHURN]["score"]) == counted[ScoreKind.CHURN]["rows"]


def test_a_model_without_a_reference_is_left_out_of_drift(established):
    established(3)

    run = _run_every_chunk()

    assert run.status == ScoringRun.Status.DONE
    assert run.drift == {}


def test_the_features_are_read_by_name_from_the_table_of_the_day():
    """A reference names its features: columns the table gains later are not read, one it no
    longer has is left out."""
    rng = np.random.default_rng(4)
    values = rng.integers(0, 50, (200, len(NAMES))).astype(float)
    table = FeatureTable(np.arange(1, 201), values)
    reference = drift.reference_of(ScoreKind.CHURN, table, None)
    reference["features"]["a_feature_since_removed"] = {"edges": [1.0], "shares": [0.5, 0.5]}
    model = RiskModel(pk=7, kind=ScoreKind.CHURN, reference=reference)

    counts = drift.chunk_counts(table, None, [model])

    assert set(counts["churn"]["features"]) == set(NAMES)
    assert "score" not in counts["churn"]


def test_counting_a_chunk_of_twenty_thousand_customers_is_cheap():
    rng = np.random.default_rng(5)
    values = rng.gamma(2.0, 20.0, (20_000, len(NAMES)))
    values[:, :5] = rng.integers(0, 2, (20_000, 5))
    table = FeatureTable(np.arange(1, 20_001), values)
    scores = rng.random(20_000)
    model = RiskModel(
        pk=1, kind=ScoreKind.CHURN, reference=drift.reference_of(ScoreKind.CHURN, table, scores)
    )
    scored = SimpleNamespace(churn_risk=scores)

    started = timezone.now()
    drift.chunk_counts(table, scored, [model])

    assert timezone.now() - started < timedelta(seconds=1)
