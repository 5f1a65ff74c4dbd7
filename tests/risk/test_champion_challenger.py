"""Champion and challenger: the monthly retrain trains a challenger of each learned model, and
it replaces the champion only on evidence (the 95 % interval of its AUC gain on the same
held-out customers above zero); otherwise it waits as a candidate, its figures and the reason
kept, for an analyst to promote by hand."""

import threading

import pytest
from django.db import connection

from crm.celery import app
from customers.models import ActionLog
from risk import challengers, defaults, promotion, services
from risk.models import RetrainRun, RiskModel, ScoreKind
from risk.tasks import models_retrain
from tests.risk.test_model_versions import AS_OF, _active_card, _credit_history, _income_card

pytestmark = pytest.mark.django_db


def _measured(interval, *, brier=0.10, their_brier=0.10) -> dict:
    return {
        "roc_auc": 0.80,
        "brier": brier,
        "compared_with": {
            "version": 3,
            "roc_auc": 0.78,
            "brier": their_brier,
            "auc_gain_ci": interval,
        },
    }


# --- The rule -----------------------------------------------------------------------------------


def test_a_challenger_whose_gain_interval_includes_zero_stays_a_candidate():
    promoted, reason = promotion.promotion_decision(_measured([-0.01, 0.03]))

    assert promoted is False
    assert reason == (
        "no evidence it ranks better: AUC gain over v3 -0.0100 to +0.0300 (95 % interval) "
        "does not exclude zero or a loss"
    )


def test_a_challenger_whose_gain_interval_is_above_zero_is_promoted():
    promoted, reason = promotion.promotion_decision(_measured([0.01, 0.05]))

    assert promoted is True
    assert reason == "ranks better on evidence: AUC gain over v3 +0.0100 to +0.0500 (95 % interval)"


def test_a_challenger_that_ranks_better_but_is_much_worse_calibrated_stays_a_candidate():
    worse = _measured([0.01, 0.05], brier=0.10 + promotion.BRIER_TOLERANCE + 0.001)
    within = _measured([0.01, 0.05], brier=0.10 + promotion.BRIER_TOLERANCE / 2)

    assert promotion.promotion_decision(worse)[0] is False
    assert "Brier score" in promotion.promotion_decision(worse)[1]
    assert promotion.holds_its_own(within)


def test_metrics_without_an_interval_fall_back_to_comparing_the_held_out_auc():
    older = {"roc_auc": 0.80, "compared_with": {"version": 3, "roc_auc": 0.78}}
    worse = {"roc_auc": 0.70, "compared_with": {"version": 3, "roc_auc": 0.78}}

    assert promotion.promotion_decision(older) == (
        True,
        "held-out ROC AUC 0.8 is at least v3's 0.78",
    )
    assert promotion.holds_its_own(worse) is False


# --- Training records the decision ------------------------------------------------------------


def test_a_challenger_without_evidence_is_kept_with_its_decision_in_metrics_and_audit_log():
    threshold = _credit_history(income_tells_in_training=False)
    champion = _active_card(1, _income_card(threshold))

    challenger = services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)

    assert not challenger.is_active
    assert RiskModel.objects.get(kind=ScoreKind.CREDIT, is_active=True) == champion
    assert challenger.metrics["compared_with"]["auc_gain_ci"][0] < 0
    decision = challenger.metrics["decision"]
    assert decision["promoted"] is False
    assert decision["reason"].startswith("no evidence it ranks better: AUC gain over v1")
    entry = ActionLog.objects.get(action="risk_model.trained")
    assert entry.data["decision"] == decision


def test_a_challenger_with_evidence_replaces_the_champion_and_says_why():
    _credit_history(income_tells_in_training=True)
    champion = _active_card(1, defaults.CREDIT)

    challenger = services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)

    champion.refresh_from_db()
    assert challenger.is_active and not champion.is_active
    assert challenger.metrics["compared_with"]["auc_gain_ci"][0] > 0
    assert challenger.metrics["decision"]["reason"].startswith("ranks better on evidence")


def test_the_first_version_of_a_kind_is_made_active_and_says_so():
    _credit_history(income_tells_in_training=False)

    first = services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)

    assert first.is_active
    assert first.metrics["decision"] == {
        "promoted": True,
        "reason": "the first version of its kind",
    }


def test_an_analyst_promotes_a_candidate_by_hand(analyst):
    threshold = _credit_history(income_tells_in_training=False)
    _active_card(1, _income_card(threshold))
    challenger = services.model_train(ScoreKind.CREDIT, as_of=AS_OF, horizon_days=365)

    services.model_promote(model=challenger, actor=analyst)

    assert RiskModel.objects.get(kind=ScoreKind.CREDIT, is_active=True) == challenger


# --- The monthly retrain --------------------------------------------------------------------


@pytest.fixture
def committed(tasks_in_process, django_capture_on_commit_callbacks):
    """Run ``call`` as a beat would: the work it hands to the workers runs (in this process)
    when its transaction commits."""

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    return run


def test_the_monthly_retrain_trains_a_challenger_of_each_learned_kind(committed):
    threshold = _credit_history(income_tells_in_training=False)
    _active_card(1, _income_card(threshold))

    planned = committed(models_retrain.run)

    retrain = RetrainRun.objects.get()
    assert planned == {"run": retrain.pk}
    assert retrain.status == RetrainRun.Status.DONE and retrain.models_trained == 1
    challenger = RiskModel.objects.get(kind=ScoreKind.CREDIT, version=2)
    assert challenger.trained_by_label == challengers.LABEL
    assert not challenger.is_active  # learned nothing: it waits as a candidate
    outcome = challengers.challengers_retrain_outcome(retrain)
    assert outcome["credit"] == challenger.pk
    assert "at least 100 customers" in outcome["churn"]  # no churn history here
    chunk = retrain.chunks.get(kind=ScoreKind.CREDIT)
    assert chunk.outcome.startswith("Credit v2 kept as a candidate: no evidence it ranks better")


def test_a_second_retrain_in_the_same_month_trains_nothing(committed):
    _credit_history(income_tells_in_training=True)
    committed(models_retrain.run)
    versions = RiskModel.objects.count()

    again = committed(models_retrain.run)

    assert again["refused"].startswith("The challengers of ")
    assert RiskModel.objects.count() == versions == 1
    assert RetrainRun.objects.count() == 1


def test_a_retrain_while_another_is_in_progress_trains_nothing(committed):
    _credit_history(income_tells_in_training=True)
    challengers.challengers_retrain_plan()  # another beat's, not yet carried out

    outcome = committed(models_retrain.run)

    assert outcome == {"refused": "The challengers are being trained already."}
    assert not RiskModel.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tasks_in_process")
@pytest.mark.skipif(
    "sqlite" in connection.settings_dict["ENGINE"], reason="SQLite serialises every writer"
)
def test_two_retrains_started_at_the_same_moment_train_once():
    _credit_history(income_tells_in_training=True)
    outcomes, barrier = [], threading.Barrier(2)

    def beat():
        barrier.wait()
        try:
            outcomes.append(models_retrain.run())
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted("refused" in outcome for outcome in outcomes) == [False, True]
    retrain = RetrainRun.objects.get()
    assert retrain.status == RetrainRun.Status.DONE and retrain.models_trained == 1
    trained = RiskModel.objects.filter(trained_by_label=challengers.LABEL)
    assert list(trained.values_list("kind", flat=True)) == [ScoreKind.CREDIT]


def test_the_retrain_is_declared_for_beat_once_a_month():
    entry = app.conf.beat_schedule["retrain-challengers-monthly"]

    assert entry["task"] == models_retrain.name
    assert entry["schedule"].day_of_month == {2}
    assert not any(
        other["task"] == models_retrain.name and name != "retrain-challengers-monthly"
        for name, other in app.conf.beat_schedule.items()
    )
