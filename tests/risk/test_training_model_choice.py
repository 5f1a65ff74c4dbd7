"""Choosing between the simple model and gradient-boosted trees on the same held-out customers,
and the evidence a new version carries against the version in use (``risk.training``)."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from risk import defaults
from risk.boosting import churn_probability, credit_default_probability
from risk.training import (
    _choose,
    _rows,
    _Table,
    _weighted_aucs,
    auc_gain_interval,
    churn_fit,
    credit_fit,
    held_out,
)
from tests.risk.test_boosting import _table, planted_churn, planted_credit


def linear_churn(n: int = 3000, seed: int = 6):
    """The log-odds of leaving grow in step with late payments and complaints."""
    rng = np.random.default_rng(seed)
    table = _table(
        n,
        late_invoices_6m=rng.integers(0, 6, n),
        complaints_90d=rng.poisson(0.6, n),
        tenure_months=rng.integers(1, 72, n),
    )
    logit = -2.5 + 0.5 * table.column("late_invoices_6m") + 0.6 * table.column("complaints_90d")
    return table, (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)


@pytest.fixture(scope="module")
def non_linear_fit():
    table, left = planted_churn()
    return table, left, churn_fit(table.values, left)


def test_boosted_trees_are_chosen_on_churn_with_thresholds_and_interactions(non_linear_fit):
    _, _, (artifact, metrics) = non_linear_fit

    assert metrics["chosen"] == "boosted"
    assert artifact["model"] == "boosted"
    candidates = metrics["candidates"]
    assert set(candidates) == {"logistic", "boosted"}
    assert set(candidates["logistic"]) == set(candidates["boosted"]) == {"roc_auc", "brier"}
    assert candidates["boosted"]["roc_auc"] > candidates["logistic"]["roc_auc"] + 0.05
    assert metrics["roc_auc"] == candidates["boosted"]["roc_auc"]
    assert metrics["brier"] == candidates["boosted"]["brier"]
    assert metrics["cv_roc_auc"] > 0.75
    assert {"base_rate", "rows", "held_out_rows"} <= set(metrics)


def test_the_logistic_model_is_kept_when_the_outcome_is_linear():
    table, left = linear_churn()

    artifact, metrics = churn_fit(table.values, left)

    assert metrics["chosen"] == "logistic"
    assert artifact["model"] == "logistic"
    assert metrics["roc_auc"] == metrics["candidates"]["logistic"]["roc_auc"]
    assert "late_invoices_6m" in artifact["features"]


def test_a_near_tie_goes_to_the_simpler_model():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 2000)
    simple = y + rng.normal(0, 1.5, 2000)
    slightly_better = simple.copy()
    slightly_better[y == 1][:3] += 5  # a handful of rows ranked better: a gain under 0.002

    gain = roc_auc_score(y, slightly_better) - roc_auc_score(y, simple)
    assert 0 <= gain < 0.002
    assert _choose(y, {"a": simple, "b": slightly_better}, simple="a", challenger="b") == "a"
    much_better = y + rng.normal(0, 0.5, 2000)
    assert _choose(y, {"a": simple, "b": much_better}, simple="a", challenger="b") == "b"


def test_the_gain_interval_brackets_the_new_versions_gain_over_the_one_in_use(non_linear_fit):
    table, left, _ = non_linear_fit
    other, other_left = linear_churn(seed=8)
    incumbent, _ = churn_fit(other.values, other_left)  # in use: a logistic model of other data

    new, metrics = churn_fit(table.values, left, incumbent=incumbent)

    test = held_out(np.arange(len(left)))
    rows = _Table(table.values[test])
    gain = roc_auc_score(
        left[test], churn_probability(rows, new, reasons=0).values
    ) - roc_auc_score(left[test], churn_probability(rows, incumbent, reasons=0).values)
    low, high = metrics["compared_with"]["auc_gain_ci"]
    assert low <= gain <= high
    assert low < high
    assert metrics["compared_with"]["roc_auc"] == pytest.approx(metrics["roc_auc"] - gain, abs=2e-4)


def test_the_gain_interval_against_itself_is_nothing(non_linear_fit):
    table, left, (artifact, metrics) = non_linear_fit

    _, again = churn_fit(table.values, left, incumbent=artifact)

    assert again["compared_with"]["auc_gain_ci"] == [0.0, 0.0]
    assert again["compared_with"]["roc_auc"] == metrics["roc_auc"]


def test_bootstrap_aucs_with_every_customer_once_are_the_plain_roc_auc():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 500)
    score = np.round(y + rng.normal(0, 1, 500), 1)  # rounded: ties are counted half

    aucs = _weighted_aucs(y, score, np.ones((2, 500)))

    np.testing.assert_allclose(aucs, roc_auc_score(y, score))
    low, high = auc_gain_interval(y, score, rng.random(500), resamples=200)
    assert low < roc_auc_score(y, score) - 0.5 < high


def test_a_version_in_use_that_cannot_read_the_customers_is_reported_not_compared(
    non_linear_fit,
):
    table, left, (artifact, _) = non_linear_fit
    gone = {**artifact, "features": ["left_the_building", *artifact["features"][1:]]}

    _, metrics = churn_fit(table.values, left, incumbent=gone)

    assert metrics["compared_with"]["error"].startswith("cannot score these customers")


# --- Credit ---------------------------------------------------------------------------------


def test_the_scorecard_is_kept_when_trees_do_not_rank_better():
    """Each characteristic adds its own share to the log-odds: points per bin hold it all."""
    rng = np.random.default_rng(5)
    employment = rng.choice(["employed", "self_employed", "unemployed"], 1200)
    guarantor = rng.choice(["yes", "no"], 1200)
    logit = -2.0 + 1.5 * (employment == "unemployed") + 0.5 * (employment == "self_employed")
    logit += 0.8 * (guarantor == "no")
    bad = (rng.random(1200) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    characteristics = {"employment": employment.tolist(), "guarantor": guarantor.tolist()}

    card, metrics = credit_fit(characteristics, bad)

    assert metrics["chosen"] == "scorecard"
    assert card["model"] == "scorecard"
    assert set(metrics["candidates"]) == {"scorecard", "boosted"}
    assert metrics["roc_auc"] == metrics["candidates"]["scorecard"]["roc_auc"]
    assert "booster" not in card


def test_credit_compares_with_the_card_in_use_with_a_gain_interval():
    characteristics, bad = planted_credit()

    artifact, metrics = credit_fit(characteristics, bad, incumbent=defaults.CREDIT)

    test = np.flatnonzero(held_out(np.arange(len(bad))))
    measured_on = _rows(characteristics, test)
    gain = roc_auc_score(
        bad[test], credit_default_probability(artifact, measured_on)
    ) - roc_auc_score(bad[test], credit_default_probability(defaults.CREDIT, measured_on))
    low, high = metrics["compared_with"]["auc_gain_ci"]
    assert low <= gain <= high
    assert low > 0  # the card in use knows nothing of income or housing
