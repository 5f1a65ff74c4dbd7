"""The scorers (``risk.scorers``) and the fits (``risk.training``) on numbers built by hand.

No database: a ``FeatureTable`` is a pair of arrays, a model is a dict of plain numbers, and
each expected score is worked out from the formula the scorer documents.
"""

import math

import numpy as np
import pytest

from risk.defaults import CREDIT
from risk.features import NAMES, NO_CONTRACT_DAYS, FeatureTable
from risk.scorers import (
    RATING_BANDS,
    _phrase,
    churn_score,
    credit_score,
    fraud_score,
    influence_score,
    value_score,
)
from risk.training import NotEnoughHistory, churn_fit, credit_fit


def _table(n: int, **columns) -> FeatureTable:
    """``n`` customers with every feature 0 (no contract end) but the ``columns`` given."""
    values = np.zeros((n, len(NAMES)))
    values[:, NAMES.index("contract_ends_in_days")] = NO_CONTRACT_DAYS
    for name, column in columns.items():
        values[:, NAMES.index(name)] = column
    return FeatureTable(customer_ids=np.arange(n), values=values)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# --- Churn ------------------------------------------------------------------------------------

CHURN = {
    "features": ["month_to_month", "late_invoices_6m", "tenure_months"],
    "log_features": ["tenure_months"],
    "mean": [0.0, 1.0, 2.0],
    "scale": [1.0, 2.0, 0.5],
    "coef": [0.9, 0.7, -0.45],
    "intercept": -2.2,
}


def test_churn_is_the_logistic_probability_of_the_standardised_features():
    table = _table(2, month_to_month=[1, 0], late_invoices_6m=[3, 0], tenure_months=[11, 47])

    scored = churn_score(table, CHURN)

    # Tenure enters as log(1 + months): log(12) and log(48).
    risky = 0.9 * 1 + 0.7 * (3 - 1) / 2 - 0.45 * (math.log(12) - 2) / 0.5 - 2.2
    loyal = 0.9 * 0 + 0.7 * (0 - 1) / 2 - 0.45 * (math.log(48) - 2) / 0.5 - 2.2
    assert scored.values.tolist() == pytest.approx([_sigmoid(risky), _sigmoid(loyal)])
    assert scored.values[0] > scored.values[1]
    assert scored.bands is None


def test_churn_reasons_are_the_features_raising_the_risk_most_first_in_plain_words():
    table = _table(1, month_to_month=[1], late_invoices_6m=[3], tenure_months=[11])

    reasons = churn_score(table, CHURN).reasons

    # No contract adds 0.9 to the logit, the late payments 0.7 (one scale above the mean);
    # the tenure lowers it and is not a reason.
    assert reasons == [["no contract (month to month)", "3 late payments in the last 6 months"]]


def test_a_short_tenure_below_the_average_is_given_as_a_reason():
    params = {
        "features": ["tenure_months"],
        "log_features": ["tenure_months"],
        "mean": [3.0],
        "scale": [1.0],
        "coef": [-0.5],
        "intercept": 0.0,
    }

    reasons = churn_score(_table(2, tenure_months=[2, 1]), params).reasons

    assert reasons == [["customer for 2 months only"], ["customer for 1 month only"]]


def test_features_that_lower_the_risk_or_say_nothing_are_not_given_as_reasons():
    params = {
        "features": ["active_products", "complaints_90d", "late_invoices_6m"],
        "log_features": [],
        "mean": [2.0, 0.0, 0.0],
        "scale": [1.0, 1.0, 1.0],
        "coef": [-0.25, 0.6, 0.02],
        "intercept": 0.0,
    }
    # No products pushes the risk up (0.5) but "holds 0 products" says nothing; one late
    # payment adds only 0.02, too little to be worth a reason.
    table = _table(2, active_products=[0, 4], complaints_90d=[1, 0], late_invoices_6m=[1, 1])

    reasons = churn_score(table, params).reasons

    assert reasons == [["1 complaint in the last 90 days"], []]


def test_no_more_reasons_than_asked_for_are_given():
    table = _table(1, month_to_month=[1], late_invoices_6m=[3], tenure_months=[11])

    assert churn_score(table, CHURN, reasons=1).reasons == [["no contract (month to month)"]]
    assert churn_score(table, CHURN, reasons=0).reasons == [[]]


# --- Credit -----------------------------------------------------------------------------------

SCORECARD = {
    "characteristics": [
        {
            "name": "late_invoices_12m",
            "type": "numeric",
            "bins": [
                {"below": 1, "label": "none", "points": 25.0},
                {"below": 3, "label": "1 to 2", "points": -5.0},
                {"below": None, "label": "3 or more", "points": -45.0},
            ],
            "missing": {"label": "not known", "points": 0.0},
            "best_points": 25.0,
        },
        {  # declared on the credit application, not a feature
            "name": "employment",
            "type": "categorical",
            "bins": [
                {"categories": ["employed"], "label": "employed", "points": 20.0},
                {"categories": ["student", "unemployed"], "label": "other", "points": -10.0},
            ],
            "missing": {"label": "not known", "points": -5.0},
            "best_points": 20.0,
        },
    ],
    "base_points": 590.0,
    "offset": CREDIT["offset"],  # 600 points at 19:1, 20 points to double the odds
    "factor": CREDIT["factor"],
}


def test_credit_points_add_up_to_the_score_and_the_score_falls_into_a_rating_band():
    table = _table(5, late_invoices_12m=[0, 4, 2, 1, 0])
    applications = [
        {"employment": "employed"},  # 590 + 25 + 20
        {"employment": "unemployed"},  # 590 - 45 - 10
        {},  # 590 - 5 - 5
        {"employment": "employed"},  # 590 - 5 + 20
        {"employment": "student"},  # 590 + 25 - 10
    ]

    scored = credit_score(table, SCORECARD, applications)

    assert scored.values.tolist() == [635, 535, 580, 605, 605]
    default = [1 / (1 + math.exp((s - CREDIT["offset"]) / CREDIT["factor"])) for s in [635, 535]]
    assert default == pytest.approx([0.0154, 0.3337], abs=1e-4)
    assert scored.bands == ["A", "E", "C", "B", "B"]


def test_each_rating_band_is_reached_by_a_probability_of_default_under_its_bound():
    # Default probabilities 1.5 %, 4.2 %, 9.5 %, 11.1 % and 33 %.
    table = _table(5, late_invoices_12m=[0, 0, 2, 1, 4])
    applications = [
        {"employment": "employed"},
        {"employment": "unemployed"},
        {},
        {"employment": "unemployed"},
        {"employment": "unemployed"},
    ]

    scored = credit_score(table, SCORECARD, applications)

    assert scored.values.tolist() == [635, 605, 580, 575, 535]
    assert scored.bands == [band for band, _ in RATING_BANDS]


def test_credit_reasons_tell_the_customers_own_facts_scoring_below_their_best_worst_first():
    table = _table(3, late_invoices_12m=[4, 0, 1])
    applications = [{"employment": "unemployed"}, {"employment": "employed"}, {}]

    reasons = credit_score(table, SCORECARD, applications).reasons

    assert reasons == [
        [
            "4 late payments in the last 12 months",
            "employment declared as unemployed",
        ],  # 70 and 30 below the best
        [],
        ["1 late payment in the last 12 months", "employment not declared"],  # 30 and 25 below
    ]


def test_without_applications_the_declared_characteristics_are_missing():
    scored = credit_score(_table(1, late_invoices_12m=[0]), SCORECARD)

    assert scored.values.tolist() == [590 + 25 - 5]
    assert scored.reasons == [["employment not declared"]]


def test_a_numeric_application_characteristic_is_read_from_its_text():
    card = {
        **SCORECARD,
        "characteristics": [
            {
                "name": "monthly_income",
                "type": "numeric",
                "bins": [
                    {"below": 1500, "label": "under 1500", "points": -20.0},
                    {"below": None, "label": "1500 or more", "points": 10.0},
                ],
                "missing": {"label": "not known", "points": -8.0},
                "best_points": 10.0,
            }
        ],
    }
    applications = [{"monthly_income": "2500"}, {"monthly_income": 900}, {"monthly_income": "?"}]

    scored = credit_score(_table(3), card, applications)

    assert scored.values.tolist() == [600, 570, 582]


# --- Fraud ------------------------------------------------------------------------------------


def _signals(shared_contact, shared_address, recent_subscriptions):
    return {
        "shared_contact": np.asarray(shared_contact, dtype=float),
        "shared_address": np.asarray(shared_address, dtype=float),
        "recent_subscriptions": np.asarray(recent_subscriptions, dtype=float),
    }


def test_without_any_signal_the_fraud_risk_is_zero():
    table = _table(2, tenure_months=[24, 1])

    # One unrelated person at the same address (a flatmate) is no signal.
    scored = fraud_score(table, _signals([0, 0], [1, 0], [2, 1]), {})

    assert scored.values.tolist() == [0.0, 0.0]
    assert scored.reasons == [[], []]


def test_a_shared_contact_raises_the_fraud_risk_and_says_with_how_many():
    table = _table(1, tenure_months=[24])

    scored = fraud_score(table, _signals([2], [0], [0]), {})

    assert scored.values[0] == pytest.approx(1 - math.exp(-0.7 * 2))
    assert scored.reasons == [["e-mail or phone shared with 2 unrelated customers"]]


def test_an_address_shared_with_several_strangers_and_a_burst_of_subscriptions_are_signals():
    table = _table(1, tenure_months=[24])

    scored = fraud_score(table, _signals([0], [3], [3]), {})

    # The first unrelated person at the address may be a flatmate; the 2nd and 3rd count.
    assert scored.values[0] == pytest.approx(1 - math.exp(-(0.25 * 2 + 0.8)))
    assert scored.reasons == [
        ["3 subscriptions started in 30 days", "address shared with 3 unrelated customers"]
    ]


def test_a_new_customer_not_paying_is_a_signal_and_its_weights_come_from_the_model():
    table = _table(2, tenure_months=[2, 24], unpaid_60d=[1, 1], unpaid_balance=[80, 80])
    weights = {
        "shares_contact": 0.7,
        "shares_address": 0.25,
        "subscription_burst": 0.8,
        "new_and_not_paying": 1.0,
        "early_unpaid_balance": 0.5,
    }

    scored = fraud_score(table, _signals([0, 0], [0, 0], [0, 0]), {"weights": weights})

    assert scored.values.tolist() == pytest.approx([1 - math.exp(-1.5), 0.0])
    assert scored.reasons == [["new customer with an invoice unpaid for over 60 days"], []]


# --- Value ------------------------------------------------------------------------------------


def test_a_customer_who_never_leaves_is_worth_the_whole_discounted_horizon():
    table = _table(2, monthly_margin=[10.0, 10.0])
    churn = np.zeros(2)

    undiscounted = value_score(table, churn, {"horizon_months": 36, "annual_discount_rate": 0})
    discounted = value_score(table, churn, {"horizon_months": 36, "annual_discount_rate": 0.10})

    assert undiscounted.values.tolist() == [360.0, 360.0]
    monthly = 1.10 ** (1 / 12)
    assert discounted.values[0] == pytest.approx(
        sum(10.0 / monthly**t for t in range(1, 37)), abs=0.005
    )
    assert undiscounted.reasons[0] == ["keeps €10.00 a month", "expected to stay about 36 months"]


def test_a_customer_likelier_to_leave_is_worth_less():
    table = _table(3, monthly_margin=[10.0, 10.0, 10.0])

    scored = value_score(table, np.array([0.0, 0.1, 0.5]), {"annual_discount_rate": 0})

    assert scored.values[0] > scored.values[1] > scored.values[2] > 0
    # Half leave within 90 days: a monthly retention of 0.5 ** (1/3), about 0.794.
    retention = 0.5 ** (1 / 3)
    assert scored.values[2] == pytest.approx(
        10.0 * sum(retention**t for t in range(1, 37)), abs=0.005
    )
    assert scored.reasons[2][1] == "expected to stay about 5 months"


# --- Influence --------------------------------------------------------------------------------


def test_an_unconnected_customer_has_no_influence():
    table = _table(1, complaints_90d=[3])

    scored = influence_score(table, np.array([0.9]), reach=np.zeros(1), links=np.zeros(1))

    assert scored.values.tolist() == [0.0]
    assert scored.reasons == [[]]


def test_a_connected_dissatisfied_customer_at_risk_pulls_their_connections():
    table = _table(2, complaints_90d=[3, 0])

    scored = influence_score(
        table, np.array([0.5, 0.5]), reach=np.array([2.5, 2.5]), links=np.array([2, 2])
    )

    # churn x (1 + dissatisfaction) x (0.3 per link + 0.5 x reach)
    assert scored.values.tolist() == pytest.approx([0.5 * 2 * 1.85, 0.5 * 1 * 1.85])
    assert scored.reasons[0] == [
        "connected to 2 customers",
        "reach 2.5 times the average customer's",
        "dissatisfied: 3 complaints in 90 days",
    ]
    assert scored.reasons[1] == [
        "connected to 2 customers",
        "reach 2.5 times the average customer's",
    ]


# --- Training ---------------------------------------------------------------------------------


def _churn_history(n: int = 600, seed: int = 3):
    """Leaving depends on late payments only; tenure is noise."""
    rng = np.random.default_rng(seed)
    late = rng.integers(0, 6, n)
    table = _table(n, late_invoices_6m=late, tenure_months=rng.integers(1, 60, n))
    left = (rng.random(n) < 1 / (1 + np.exp(-(-3.0 + 1.2 * late)))).astype(np.int64)
    return table, left


def test_the_churn_fit_learns_the_feature_the_outcome_depends_on():
    table, left = _churn_history()

    params, metrics = churn_fit(table.values, left)

    assert metrics["roc_auc"] > 0.8
    assert metrics["cv_roc_auc"] > 0.8
    assert metrics["rows"] == 600
    assert metrics["base_rate"] == pytest.approx(left.mean(), abs=1e-4)
    # Constant columns are dropped; money and counts spread wide are taken as logarithms.
    assert params["features"] == ["tenure_months", "late_invoices_6m"]
    assert params["log_features"] == ["tenure_months"]
    late_weight = params["coef"][params["features"].index("late_invoices_6m")]
    assert late_weight > 1.0


def test_the_fitted_churn_parameters_score_new_customers_with_calibrated_probabilities():
    table, left = _churn_history()
    params, _ = churn_fit(table.values, left)

    scored = churn_score(table, params)
    newcomers = churn_score(_table(2, late_invoices_6m=[5, 0], tenure_months=[30, 30]), params)

    assert scored.values.mean() == pytest.approx(left.mean(), abs=0.03)
    assert newcomers.values[0] > 0.8 > 0.1 > newcomers.values[1]
    assert newcomers.reasons[0][0] == "5 late payments in the last 6 months"


def test_churn_training_with_too_few_customers_who_left_is_refused():
    values = np.zeros((200, len(NAMES)))
    values[:, NAMES.index("tenure_months")] = np.arange(200)
    left = np.zeros(200, dtype=np.int64)
    left[:19] = 1

    with pytest.raises(NotEnoughHistory, match="200 customers with 19 outcomes"):
        churn_fit(values, left)


def _credit_history(n: int = 800, seed: int = 5):
    """Defaults depend on late payments and on employment; a few applications are missing."""
    rng = np.random.default_rng(seed)
    late = rng.integers(0, 6, n)
    employment = rng.choice(
        ["employed", "self_employed", "unemployed", "student"], n, p=[0.55, 0.2, 0.22, 0.03]
    )
    declared = [None if rng.random() < 0.1 else str(e) for e in employment]
    bad = rng.random(n) < 1 / (
        1 + np.exp(-(-3.5 + 0.6 * late + 1.5 * (employment == "unemployed")))
    )
    characteristics = {"late_invoices_12m": late.tolist(), "employment": declared}
    return characteristics, bad.astype(np.int64)


def test_the_credit_fit_bins_each_characteristic_and_gives_each_bin_points():
    characteristics, bad = _credit_history()

    card, metrics = credit_fit(characteristics, bad)

    assert metrics["characteristics"] == ["late_invoices_12m", "employment"]
    assert metrics["cv_roc_auc"] > 0.7
    late, employment = card["characteristics"]
    assert late["type"] == "numeric"
    edges = [entry["below"] for entry in late["bins"]]
    assert edges[-1] is None
    assert edges[:-1] == sorted(edges[:-1])
    assert late["bins"][0]["points"] > late["bins"][-1]["points"]  # fewer late, more points
    assert employment["type"] == "categorical"
    points = {entry["label"]: entry["points"] for entry in employment["bins"]}
    assert points["employed"] > points["unemployed"]
    # Under 5 % of the rows, students go into one bin of rare categories.
    assert employment["bins"][-1]["categories"] == ["student"]
    assert employment["bins"][-1]["label"] == "other"
    for characteristic in card["characteristics"]:
        every = [entry["points"] for entry in (*characteristic["bins"], characteristic["missing"])]
        assert characteristic["best_points"] == max(every)


def test_the_fitted_scorecard_scores_with_credit_score():
    characteristics, bad = _credit_history()
    card, _ = credit_fit(characteristics, bad)

    table = _table(2, late_invoices_12m=[0, 5])
    scored = credit_score(table, card, [{"employment": "employed"}, {"employment": "unemployed"}])

    assert scored.values[0] > scored.values[1]
    assert not any("late payment" in reason for reason in scored.reasons[0])
    assert scored.reasons[1][0] == "5 late payments in the last 12 months"
    assert "employment declared as unemployed" in scored.reasons[1]


def test_credit_training_with_too_few_defaults_is_refused():
    characteristics, _ = _credit_history(n=200)
    bad = np.zeros(200, dtype=np.int64)
    bad[:9] = 1

    with pytest.raises(NotEnoughHistory, match="200 customers with 9 outcomes"):
        credit_fit(characteristics, bad)


@pytest.mark.parametrize("name", NAMES)
def test_every_feature_reads_as_a_sentence_and_never_as_its_column_name(name):
    said = _phrase(name, 3.0)

    assert said and "_" not in said
    assert said != f"{name.replace('_', ' ')} 3"  # the bare fallback
