"""Gradient-boosted churn and credit models (``risk.boosting``): exact contributions as reasons,
artifacts that are plain JSON, and one way to score from any stored artifact.

No database: a ``FeatureTable`` is a pair of arrays and an artifact a dict.
"""

import json
import pickle

import lightgbm
import numpy as np
import pytest

from risk import boosting, defaults
from risk.boosting import (
    churn_boosted_fit,
    churn_columns,
    churn_probability,
    credit_scored,
    log_odds_contributions,
)
from risk.features import NAMES, NO_CONTRACT_DAYS, FeatureTable
from risk.scorers import RATING_BANDS, churn_score, credit_score
from risk.training import credit_fit


def _table(n: int, **columns) -> FeatureTable:
    values = np.zeros((n, len(NAMES)))
    values[:, NAMES.index("contract_ends_in_days")] = NO_CONTRACT_DAYS
    for name, column in columns.items():
        values[:, NAMES.index(name)] = column
    return FeatureTable(customer_ids=np.arange(n), values=values)


def planted_churn(n: int = 3000, seed: int = 3) -> tuple[FeatureTable, np.ndarray]:
    """Customers leave after a fourth contact in 90 days, or when they pay a lot and have
    held few products: thresholds and an interaction, nothing linear."""
    rng = np.random.default_rng(seed)
    table = _table(
        n,
        interactions_90d=rng.poisson(1.5, n),
        monthly_charges=rng.uniform(10, 120, n).round(2),
        active_products=rng.integers(1, 5, n),
        tenure_months=rng.integers(1, 72, n),
    )
    contacts = table.column("interactions_90d")
    pricey_and_thin = (table.column("monthly_charges") > 80) & (table.column("active_products") < 2)
    logit = -2.8 + 3.2 * (contacts >= 4) + 2.5 * pricey_and_thin
    left = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return table, left


@pytest.fixture(scope="module")
def boosted():
    table, left = planted_churn()
    return table, churn_boosted_fit(table.values, left)


def test_contributions_and_the_calibration_intercept_add_up_to_the_calibrated_log_odds(boosted):
    table, artifact = boosted
    sample = table.values[:200][:, churn_columns(artifact["features"])]

    contributions, intercept = log_odds_contributions(artifact, sample)

    margin = lightgbm.Booster(model_str=artifact["booster"]).predict(sample, raw_score=True)
    a, b = artifact["calibration"]["a"], artifact["calibration"]["b"]
    np.testing.assert_allclose(contributions.sum(axis=1) + intercept, a * margin + b, atol=1e-6)
    probability = churn_probability(_rows(table, 200), artifact).values
    log_odds = np.log(probability / (1 - probability))
    np.testing.assert_allclose(contributions.sum(axis=1) + intercept, log_odds, atol=1e-6)


def _rows(table: FeatureTable, n: int) -> FeatureTable:
    return FeatureTable(table.customer_ids[:n], table.values[:n])


def test_the_calibrated_probabilities_match_how_often_customers_leave(boosted):
    table, artifact = boosted
    _, left = planted_churn()

    probability = churn_probability(table, artifact, reasons=0).values

    assert probability.mean() == pytest.approx(left.mean(), abs=0.03)


def test_boosted_reasons_read_as_sentences_from_the_largest_contributions(boosted):
    _, artifact = boosted
    customers = _table(
        2,
        interactions_90d=[6, 0],
        monthly_charges=[30.0, 30.0],
        active_products=[3, 3],
        tenure_months=[24, 24],
    )

    reasons = churn_probability(customers, artifact).reasons

    assert reasons[0][0] == "6 contacts in the last 90 days"
    assert not any("contact" in text or "a month" in text for text in reasons[1])
    every = [text for row in churn_probability(_table(50), artifact).reasons for text in row]
    assert not any("_" in text or text.split()[0] in NAMES for text in every + reasons[0])


def test_no_more_reasons_than_asked_for_and_none_when_none_are(boosted):
    table, artifact = boosted

    three = churn_probability(table, artifact).reasons
    one = churn_probability(table, artifact, reasons=1).reasons
    none = churn_probability(table, artifact, reasons=0)

    assert max(len(row) for row in three) <= 3
    assert all(len(row) <= 1 for row in one)
    assert none.reasons == [[]] * len(table)
    np.testing.assert_allclose(none.values, churn_probability(table, artifact).values)


def test_a_boosted_artifact_round_trips_through_json_and_loads_without_pickle(boosted, monkeypatch):
    table, artifact = boosted
    expected = churn_probability(table, artifact).values
    stored = json.loads(json.dumps(artifact))

    def refuse(*args, **kwargs):
        raise AssertionError("a stored model must never be unpickled")

    monkeypatch.setattr(pickle, "loads", refuse)
    monkeypatch.setattr(pickle, "load", refuse)
    boosting._booster.cache_clear()

    assert stored["model"] == "boosted"
    assert stored["booster"].startswith("tree\n")
    np.testing.assert_allclose(churn_probability(table, stored).values, expected)


def test_an_old_logistic_artifact_without_a_model_key_still_scores():
    assert "model" not in defaults.CHURN
    table = _table(3, month_to_month=[1, 0, 1], complaints_90d=[2, 0, 0], tenure_months=[3, 40, 12])

    old = churn_probability(table, defaults.CHURN)
    marked = churn_probability(table, {"model": "logistic", **defaults.CHURN})

    expected = churn_score(table, defaults.CHURN)
    for scored in (old, marked):
        np.testing.assert_allclose(scored.values, expected.values)
        assert scored.reasons == expected.reasons
    assert old.reasons[0][0] == "2 complaints in the last 90 days"


def test_an_artifact_naming_a_feature_that_no_longer_exists_cannot_score(boosted):
    table, artifact = boosted
    gone = {**artifact, "features": ["left_the_building", *artifact["features"][1:]]}

    with pytest.raises(KeyError):
        churn_probability(table, gone)


# --- Credit ---------------------------------------------------------------------------------


def planted_credit(n: int = 1600, seed: int = 4) -> tuple[dict[str, list], np.ndarray]:
    """Renters default when their income is high, owners when it is low: an interaction no
    sum of points per characteristic can hold."""
    rng = np.random.default_rng(seed)
    income = rng.uniform(1000, 5000, n).round()
    housing = rng.choice(["rent", "own"], n)
    risky = (housing == "rent") == (income > 3000)
    bad = rng.random(n) < np.where(risky, 0.6, 0.08)
    characteristics = {"monthly_income": income.tolist(), "housing": housing.tolist()}
    return characteristics, bad.astype(np.int64)


@pytest.fixture(scope="module")
def credit():
    characteristics, bad = planted_credit()
    return characteristics, bad, credit_fit(characteristics, bad)


def test_trees_are_chosen_for_credit_when_they_rank_better_and_the_card_stays(credit):
    _, _, (artifact, metrics) = credit

    assert metrics["chosen"] == "boosted"
    candidates = metrics["candidates"]
    assert candidates["boosted"]["roc_auc"] > candidates["scorecard"]["roc_auc"] + 0.05
    assert metrics["roc_auc"] == candidates["boosted"]["roc_auc"]
    assert artifact["model"] == "boosted"
    # The points card a regulator reads is always there.
    assert [c["name"] for c in artifact["characteristics"]] == metrics["characteristics"]
    assert {"base_points", "offset", "factor"} <= set(artifact)
    json.loads(json.dumps(artifact))


def test_a_boosted_credit_score_comes_from_the_trees_and_its_reasons_from_the_card(credit):
    _, _, (artifact, _) = credit
    table = _table(2)
    applications = [
        {"monthly_income": 4500, "housing": "rent"},  # risky for the trees
        {"monthly_income": 4500, "housing": "own"},
    ]

    scored = credit_scored(table, artifact, applications)
    card = credit_score(table, artifact, applications)

    assert scored.values[0] < scored.values[1] - 40
    assert scored.reasons == card.reasons
    for score, band in zip(scored.values, scored.bands, strict=True):
        bad = 1 / (1 + np.exp((score - artifact["offset"]) / artifact["factor"]))
        assert band == next(name for name, bound in RATING_BANDS if bad < bound)


def test_a_plain_scorecard_artifact_scores_as_before():
    table = _table(2, late_invoices_12m=[0, 4])

    scored, card = credit_scored(table, defaults.CREDIT), credit_score(table, defaults.CREDIT)

    np.testing.assert_array_equal(scored.values, card.values)
    assert (scored.reasons, scored.bands) == (card.reasons, card.bands)
