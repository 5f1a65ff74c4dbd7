"""Tree SHAP by table look-up gives exactly what LightGBM's own ``pred_contrib`` gives, and
leaves to LightGBM the trees it has no table for."""

import lightgbm
import numpy as np
import pytest

from risk import tree_shap


def _trained(x, y, **params) -> str:
    settings = {
        "objective": "binary",
        "learning_rate": 0.2,
        "num_leaves": 7,
        "max_depth": 4,
        "min_data_in_leaf": 20,
        "num_threads": 1,
        "verbose": -1,
        "seed": 3,
        **params,
    }
    return lightgbm.train(settings, lightgbm.Dataset(x, y), num_boost_round=40).model_to_string()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(4_000, 12))
    x[:, :4] = np.round(x[:, :4])  # counts, with many zeros
    threshold = (x[:, 0] > 0) & (x[:, 1] < 0)  # an interaction
    y = (threshold | (x[:, 2] + x[:, 3] * x[:, 5] > 1)) ^ (rng.random(len(x)) < 0.1)
    return x, y.astype(int)


def _lightgbm_contributions(text, x):
    return lightgbm.Booster(model_str=text).predict(x, pred_contrib=True, num_threads=1)


def test_the_looked_up_contributions_equal_lightgbms_to_the_last_digits(data):
    x, y = data
    text = _trained(x, y)

    looked_up = tree_shap.contributions(tree_shap.tree_tables(text), x)

    assert looked_up.shape == (len(x), x.shape[1] + 1)
    assert np.abs(looked_up - _lightgbm_contributions(text, x)).max() < 1e-9


def test_missing_values_go_the_way_lightgbm_sends_them(data):
    x, y = data
    gaps = x.copy()
    gaps[::3, 0] = np.nan
    gaps[::4, 2] = np.nan
    for params in ({}, {"zero_as_missing": True}, {"use_missing": False}):
        text = _trained(gaps, y, **params)
        scored = gaps.copy()
        scored[::5, 1] = np.nan  # missing where training had none

        looked_up = tree_shap.contributions(tree_shap.tree_tables(text), scored)

        assert np.abs(looked_up - _lightgbm_contributions(text, scored)).max() < 1e-9, params


def test_the_contributions_add_up_to_the_margin(data):
    x, y = data
    text = _trained(x, y)

    looked_up = tree_shap.contributions(tree_shap.tree_tables(text), x)

    margin = lightgbm.Booster(model_str=text).predict(x, raw_score=True)
    assert np.abs(looked_up.sum(axis=1) - margin).max() < 1e-9


def test_trees_with_a_categorical_split_or_too_many_splits_are_left_to_lightgbm(data):
    x, y = data
    coded = x.copy()
    coded[:, 0] = np.abs(np.round(coded[:, 0])) % 5
    categorical = lightgbm.train(
        {"objective": "binary", "num_leaves": 7, "verbose": -1, "num_threads": 1},
        lightgbm.Dataset(coded, y, categorical_feature=[0]),
        num_boost_round=10,
    ).model_to_string()
    bushy = _trained(x, y, num_leaves=31, max_depth=-1, min_data_in_leaf=5)

    assert tree_shap.tree_tables(categorical) is None
    assert tree_shap.tree_tables(bushy) is None
