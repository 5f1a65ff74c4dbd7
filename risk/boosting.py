"""Gradient-boosted models (LightGBM) for churn and credit, and the one way to score churn and
credit from any stored artifact, whichever model class it holds.

Why LightGBM: exact per-customer contributions (tree SHAP) come with it
(``predict(..., pred_contrib=True)``; ``tree_shap`` gives the same from tables, quicker, for the
small trees trained here), its model is plain text, so nothing is unpickled from the
database, and it trains fast on histograms with a small CPU wheel.

A boosted artifact is JSON: ``{"model": "boosted", "features": [...], "booster": <LightGBM
text>, "calibration": {"a": .., "b": ..}}``. The calibration is a sigmoid on the booster's raw
margin, fitted on customers the trees did not learn from: calibrated log-odds = a * margin + b.
Being linear, it keeps the contributions exact: each feature's contribution times ``a``, plus
``a * bias + b``, add up to the calibrated log-odds. An artifact without "model" is the logistic
churn model (or the plain scorecard for credit) every earlier version stored.

Threads: one everywhere (``THREADS``). A scoring run has two worker processes on two cores, so
a second thread per process would only contend; training is rare and small next to a run.
"""

from functools import lru_cache

import numpy as np
from django.conf import settings

from .features import NAMES, FeatureTable
from .scorers import (
    RATING_BANDS,
    Scored,
    _credit_phrase,
    _phrase,
    _worth_saying,
    bin_for,
    churn_score,
    credit_score,
)
from .tree_shap import contributions, tree_tables

THREADS = 1
# Modest trees, so that scoring a million customers stays cheap: at most MAX_ROUNDS trees of
# NUM_LEAVES leaves and depth 4, fewer after early stopping. Trees this small have their exact
# contributions looked up from a table of their split patterns (``tree_shap``). On the
# synthetic set of bench-models this stays within 0.005 ROC AUC of unbounded boosting.
NUM_LEAVES = 7
MAX_ROUNDS = 150
EARLY_STOPPING_ROUNDS = 40
INNER_VALIDATION_SHARE = 0.2
# A reason must move the log-odds by at least this much to be told (as for the logistic model).
REASON_THRESHOLD = 0.05


def _booster_params(rows: int, seed: int) -> dict:
    return {
        "objective": "binary",
        "learning_rate": 0.2,
        "num_leaves": NUM_LEAVES,
        "max_depth": 4,
        # A leaf must hold enough customers to mean something, on small data too.
        "min_data_in_leaf": max(10, min(100, rows // 100)),
        "min_sum_hessian_in_leaf": 1e-3,
        "lambda_l2": 1.0,
        "feature_fraction": 0.9,
        "bagging_fraction": 0.9,
        "bagging_freq": 1,
        "cat_smooth": 10.0,
        "min_data_per_group": 20,
        "seed": seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": THREADS,
        "verbose": -1,
    }


def _inner_split(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A stratified share of the training rows for early stopping and calibration."""
    rng = np.random.default_rng(seed)
    fit, check = [], []
    for outcome in (0, 1):
        rows = rng.permutation(np.flatnonzero(y == outcome))
        cut = max(1, round(len(rows) * INNER_VALIDATION_SHARE))
        check.append(rows[:cut])
        fit.append(rows[cut:])
    return np.sort(np.concatenate(fit)), np.sort(np.concatenate(check))


def boosted_fit(
    x: np.ndarray, y: np.ndarray, *, seed: int = 7, categorical: list[int] | None = None
) -> tuple[str, dict]:
    """Trees fitted on most of ``x`` with early stopping on the rest, and the sigmoid that
    calibrates their margin, fitted on that rest too. Returns the booster's text and the
    calibration {"a", "b"}."""
    import lightgbm
    from sklearn.linear_model import LogisticRegression

    fit, check = _inner_split(y, seed)
    categorical = categorical or []
    params = _booster_params(len(fit), seed)
    training = lightgbm.Dataset(
        x[fit], y[fit], categorical_feature=categorical, free_raw_data=False
    )
    validation = lightgbm.Dataset(
        x[check], y[check], categorical_feature=categorical, reference=training
    )
    booster = lightgbm.train(
        params,
        training,
        num_boost_round=MAX_ROUNDS,
        valid_sets=[validation],
        callbacks=[lightgbm.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)],
    )
    rounds = booster.best_iteration or booster.current_iteration()
    margin = booster.predict(x[check], raw_score=True, num_iteration=rounds, num_threads=THREADS)
    sigmoid = LogisticRegression(C=1e4, max_iter=1000).fit(margin.reshape(-1, 1), y[check])
    calibration = {"a": float(sigmoid.coef_[0][0]), "b": float(sigmoid.intercept_[0])}
    return booster.model_to_string(num_iteration=rounds), calibration


@lru_cache(maxsize=4)
def _booster(text: str):
    """Each stored model is parsed once per process (every chunk of a run reads the same)."""
    import lightgbm

    return lightgbm.Booster(model_str=text)


def log_odds_contributions(artifact: dict, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, each feature's share of the calibrated log-odds, and the intercept (the
    calibrated share of the trees' expected margin); together they add up to the log-odds."""
    if not len(x):
        return np.zeros((0, x.shape[1])), np.zeros(0)
    tables = tree_tables(artifact["booster"])
    if tables is not None:  # small trees: looked up, ten times quicker than LightGBM's own
        raw = contributions(tables, x)
    else:
        raw = _booster(artifact["booster"]).predict(x, pred_contrib=True, num_threads=THREADS)
    a, b = artifact["calibration"]["a"], artifact["calibration"]["b"]
    return a * raw[:, :-1], a * raw[:, -1] + b


def boosted_probability(artifact: dict, x: np.ndarray) -> np.ndarray:
    booster = _booster(artifact["booster"])
    if not len(x):
        return np.zeros(0)
    margin = booster.predict(x, raw_score=True, num_threads=THREADS)
    a, b = artifact["calibration"]["a"], artifact["calibration"]["b"]
    return 1.0 / (1.0 + np.exp(-(a * margin + b)))


def is_boosted(artifact: dict) -> bool:
    return artifact.get("model") == "boosted"


# --- Churn ----------------------------------------------------------------------------------


def churn_columns(names: list[str]) -> list[int]:
    """Positions of ``names`` in today's feature table; KeyError for one that no longer
    exists (the artifact cannot score these customers)."""
    position = {name: i for i, name in enumerate(NAMES)}
    return [position[name] for name in names]


def churn_boosted_fit(values: np.ndarray, y: np.ndarray, *, seed: int = 7) -> dict:
    names = [n for i, n in enumerate(NAMES) if np.ptp(values[:, i]) > 0]
    booster, calibration = boosted_fit(values[:, churn_columns(names)], y, seed=seed)
    return {"model": "boosted", "features": names, "booster": booster, "calibration": calibration}


def churn_probability(table: FeatureTable, artifact: dict, reasons: int = 3) -> Scored:
    """Churn probabilities of every row of ``table`` and up to ``reasons`` reasons each, from
    any churn artifact: boosted, or logistic (marked so, or stored before the mark existed)."""
    if not is_boosted(artifact):
        return churn_score(table, artifact, reasons=reasons)
    names = artifact["features"]
    raw = table.values[:, churn_columns(names)]
    if not reasons:
        return Scored(boosted_probability(artifact, raw), [[] for _ in range(len(table))])
    contributions, intercept = log_odds_contributions(artifact, raw)
    probability = 1.0 / (1.0 + np.exp(-(contributions.sum(axis=1) + intercept)))
    return Scored(probability, _reasons(table, contributions, raw, names, reasons))


def _reasons(table: FeatureTable, contributions, raw, names, limit: int) -> list[list[str]]:
    """The features raising the risk most, told as sentences; a feature whose value says
    nothing worth telling (a zero count) is passed over for the next one."""
    # Only each row's strongest few are sorted and read, as plain lists (a numpy scalar per
    # look-up would cost more than the sentences); a row that runs out of them is read whole.
    width = contributions.shape[1]
    keep = min(width, limit + 8)
    strongest = np.argpartition(-contributions, keep - 1, axis=1)[:, :keep]
    order = np.argsort(-np.take_along_axis(contributions, strongest, axis=1), axis=1)
    strongest = np.take_along_axis(strongest, order, axis=1)
    shares = np.take_along_axis(contributions, strongest, axis=1).tolist()
    values = np.take_along_axis(raw, strongest, axis=1).tolist()
    result = []
    for row, columns in enumerate(strongest.tolist()):
        said = _told_in_order(columns, shares[row], values[row], names, limit, table.currency(row))
        if said is None:
            everything = np.argsort(-contributions[row]).tolist()
            said = _told_in_order(
                everything,
                contributions[row, everything].tolist(),
                raw[row, everything].tolist(),
                names,
                limit,
                table.currency(row),
                complete=True,
            )
        result.append(said)
    return result


def _told_in_order(columns, shares, values, names, limit, currency, *, complete=False):
    """Sentences for the first ``limit`` columns worth telling, in the order given; None when
    the columns ran out before the limit or the threshold and more columns exist."""
    said = []
    for column, share, value in zip(columns, shares, values, strict=True):
        if len(said) == limit or share <= REASON_THRESHOLD:
            return said
        if _worth_saying(names[column], value):
            said.append(_told(names[column], value, currency))
    return said if complete or len(said) == limit else None


def _told(name: str, value: float, currency: str) -> str:
    return _told_in(name, value, currency, settings.CRM_LOCALE)


# A chunk tells the same few values of a feature over and over (1 complaint, 2 products …).
@lru_cache(maxsize=65_536)
def _told_in(name: str, value: float, currency: str, locale: str) -> str:
    # Trees can find risk at a long tenure too (a contract's end): "only" would mislead there.
    if name == "tenure_months":
        return _credit_phrase(name, value)
    return _phrase(name, value, currency)


# --- Credit ---------------------------------------------------------------------------------


def credit_feature_specs(characteristics: dict[str, list], rows: np.ndarray) -> list[dict]:
    """How each characteristic enters the trees: a number, or a category coded by its
    position among the categories seen in ``rows`` (any other is treated as missing)."""
    specs = []
    for name, column in characteristics.items():
        seen = [column[i] for i in rows if column[i] is not None and column[i] != ""]
        if not seen:
            continue
        if all(not isinstance(v, bool) and not np.isnan(_number(v)) for v in seen):
            specs.append({"name": name, "type": "numeric"})
        else:
            specs.append(
                {"name": name, "type": "categorical", "categories": sorted(set(map(str, seen)))}
            )
    return specs


def credit_matrix(specs: list[dict], characteristics: dict[str, list], n: int) -> np.ndarray:
    x = np.full((n, len(specs)), np.nan)
    for j, spec in enumerate(specs):
        column = characteristics.get(spec["name"], [None] * n)
        if spec["type"] == "numeric":
            x[:, j] = [_number(v) for v in column]
        else:
            code = {category: k for k, category in enumerate(spec["categories"])}
            x[:, j] = [np.nan if v is None else code.get(str(v), np.nan) for v in column]
    return x


def _number(value) -> float:
    if value is None or value == "":
        return np.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return np.nan


def credit_boosted_fit(
    characteristics: dict[str, list], y: np.ndarray, rows: np.ndarray, *, seed: int = 7
) -> dict:
    """The trees' part of a credit artifact, fitted on ``rows`` of ``characteristics``."""
    specs = credit_feature_specs(characteristics, rows)
    x = credit_matrix(specs, characteristics, len(y))[rows]
    categorical = [j for j, spec in enumerate(specs) if spec["type"] == "categorical"]
    booster, calibration = boosted_fit(x, y[rows], seed=seed, categorical=categorical)
    return {"features": specs, "booster": booster, "calibration": calibration}


def card_default_probability(card: dict, characteristics: dict[str, list]) -> np.ndarray:
    """Probability of default from a scorecard's points (before rounding to a score)."""
    n = len(next(iter(characteristics.values())))
    points = np.full(n, float(card["base_points"]))
    for characteristic in card["characteristics"]:
        column = characteristics.get(characteristic["name"], [None] * n)
        points += [bin_for(characteristic, characteristic["bins"], v)["points"] for v in column]
    log_odds = (points - card["offset"]) / card["factor"]
    return 1.0 / (1.0 + np.exp(log_odds))


def credit_default_probability(artifact: dict, characteristics: dict[str, list]) -> np.ndarray:
    """Probability of default from a credit artifact's chosen model (the trees when boosted,
    the card's points otherwise)."""
    if not is_boosted(artifact):
        return card_default_probability(artifact, characteristics)
    n = len(next(iter(characteristics.values()))) if characteristics else 0
    return boosted_probability(artifact, credit_matrix(artifact["features"], characteristics, n))


def credit_characteristics(
    table: FeatureTable, applications: list[dict] | None, names: list[str]
) -> dict[str, list]:
    """The characteristics ``names`` of each row: payment behaviour from the table (None where
    unknown), the rest from the customer's credit application."""
    n = len(table)
    return {
        name: (
            table.known_values(name)
            if name in NAMES
            else [(applications[i] if applications else {}).get(name) for i in range(n)]
        )
        for name in names
    }


def credit_scored(
    table: FeatureTable, artifact: dict, applications: list[dict] | None = None
) -> Scored:
    """Credit scores from any credit artifact. The reasons always come from the points
    scorecard (the explanation a regulator reads); with a boosted artifact the score and
    rating come from the trees' probability of default, on the card's scale."""
    card = credit_score(table, artifact, applications)
    if not is_boosted(artifact) or not len(table):
        return card
    names = [spec["name"] for spec in artifact["features"]]
    bad = credit_default_probability(
        artifact, credit_characteristics(table, applications, names)
    ).clip(1e-9, 1 - 1e-9)
    score = np.rint(artifact["offset"] + artifact["factor"] * np.log((1 - bad) / bad)).clip(0, 999)
    log_odds = (score - artifact["offset"]) / artifact["factor"]
    rounded = 1.0 / (1.0 + np.exp(log_odds))
    bands = [next(band for band, bound in RATING_BANDS if p < bound) for p in rounded]
    return Scored(score, card.reasons, bands)
