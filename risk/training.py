"""Fitting the churn model and the credit scorecard; the output is the plain parameters the
scorers in ``risk.scorers`` read.

Both fits report held-out figures: ROC AUC (how well the score ranks who leaves or defaults)
and the Brier score (how close its probabilities are to what happened).

scikit-learn is imported inside the functions that fit: it takes a second to load, and every
``manage.py`` call and web process loads this module with the app.
"""

import math

import numpy as np

from .boosting import (
    churn_boosted_fit,
    churn_probability,
    credit_boosted_fit,
    credit_default_probability,
)
from .features import NAMES
from .scorers import bin_for

# Money and counts spread over orders of magnitude: their logarithm is what acts linearly.
CHURN_LOG_FEATURES = [
    "tenure_months",
    "monthly_charges",
    "monthly_margin",
    "billed_12m",
    "unpaid_balance",
    "interactions_90d",
]


class NotEnoughHistory(ValueError):
    """Too few customers or outcomes in the window to learn from."""


def _check_labels(y: np.ndarray, minimum_positive: int = 20) -> None:
    positives = int(y.sum())
    if len(y) < 100 or positives < minimum_positive or len(y) - positives < minimum_positive:
        raise NotEnoughHistory(
            f"{len(y)} customers with {positives} outcomes in the window: at least 100 customers "
            f"and {minimum_positive} of each outcome are needed."
        )


# --- Churn ----------------------------------------------------------------------------------


def churn_fit(
    values: np.ndarray,
    y: np.ndarray,
    *,
    customer_ids: np.ndarray | None = None,
    seed: int = 7,
    incumbent: dict | None = None,
) -> tuple[dict, dict]:
    """Fit a logistic model and gradient-boosted trees on the customers outside the held-out
    quarter, measure both on it, and keep the better (``_choose``); the chosen class is also
    measured by 5-fold cross-validation.

    ``incumbent`` is the artifact of the version in use: it is measured on the same held-out
    customers ("compared_with" in the metrics), which it has not trained on either, with a
    bootstrap interval of the gain in ROC AUC.
    """
    _check_labels(y)
    train, test = _held_out_split(y, customer_ids)
    fits = {
        "logistic": lambda rows: {"model": "logistic", **_churn_params(values[rows], y[rows])},
        "boosted": lambda rows: churn_boosted_fit(values[rows], y[rows], seed=seed),
    }
    artifacts = {name: fit(train) for name, fit in fits.items()}
    scored = {
        name: churn_probability(_Table(values[test]), artifact, reasons=0).values
        for name, artifact in artifacts.items()
    }
    chosen = _choose(y[test], scored, simple="logistic", challenger="boosted")
    params, probability = artifacts[chosen], scored[chosen]
    folds = []
    for fold_train, fold_test in _cv_folds(y, seed):
        fold_params = fits[chosen](fold_train)
        fold_scored = churn_probability(_Table(values[fold_test]), fold_params, reasons=0).values
        folds.append(_roc_auc(y[fold_test], fold_scored))
    metrics = {
        **_held_out_metrics(y[test], probability),
        "cv_roc_auc": round(float(np.mean(folds)), 4),
        "base_rate": round(float(y.mean()), 4),
        "rows": len(y),
        "held_out_rows": len(test),
        "candidates": {name: _held_out_metrics(y[test], p) for name, p in scored.items()},
        "chosen": chosen,
    }
    if incumbent is not None:
        metrics["compared_with"] = _incumbent_metrics(
            lambda: churn_probability(_Table(values[test]), incumbent, reasons=0).values,
            y[test],
            probability,
            seed,
        )
    return params, metrics


# The boosted model must beat the simpler one on the held-out customers by at least this much
# ROC AUC to be chosen: a smaller gain is within the noise of a few thousand customers, and the
# simpler model is easier to explain and cheaper to score.
MIN_GAIN_FOR_COMPLEXITY = 0.002
# Cross-validation of the chosen class reads at most this many customers (a stratified
# sample): five more fits over millions of rows would cost more than the figure is worth.
CV_MAX_ROWS = 200_000


def _choose(y: np.ndarray, scored: dict, *, simple: str, challenger: str) -> str:
    gain = _roc_auc(y, scored[challenger]) - _roc_auc(y, scored[simple])
    return challenger if gain >= MIN_GAIN_FOR_COMPLEXITY else simple


def _cv_folds(y: np.ndarray, seed: int):
    from sklearn.model_selection import StratifiedKFold

    rows = np.arange(len(y))
    if len(y) > CV_MAX_ROWS:
        from sklearn.model_selection import train_test_split

        rows, _ = train_test_split(rows, train_size=CV_MAX_ROWS, stratify=y, random_state=seed)
        rows = np.sort(rows)
    for fold_train, fold_test in StratifiedKFold(5, shuffle=True, random_state=seed).split(
        rows, y[rows]
    ):
        yield rows[fold_train], rows[fold_test]


def auc_gain_interval(
    y: np.ndarray,
    new: np.ndarray,
    old: np.ndarray,
    *,
    resamples: int = 500,
    seed: int = 7,
    level: float = 0.95,
) -> list[float]:
    """Paired bootstrap interval of ROC AUC(new) - ROC AUC(old) on the same customers: each
    resample draws customers with replacement and scores both models on the same draw."""
    rng = np.random.default_rng(seed)
    n = len(y)
    gains = []
    batch = max(1, min(resamples, 20_000_000 // max(n, 1)))
    done = 0
    while done < resamples:
        size = min(batch, resamples - done)
        weights = rng.multinomial(n, np.full(n, 1.0 / n), size=size).astype(np.float64)
        gains.append(_weighted_aucs(y, new, weights) - _weighted_aucs(y, old, weights))
        done += size
    tail = (1 - level) / 2 * 100
    low, high = np.nanpercentile(np.concatenate(gains), [tail, 100 - tail])
    return [round(float(low), 4), round(float(high), 4)]


def _weighted_aucs(y: np.ndarray, score: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """ROC AUC of ``score`` under each row of ``weights`` (counts per customer), ties counted
    half, for all rows at once."""
    order = np.argsort(score, kind="mergesort")
    ranked, outcome, w = score[order], y[order].astype(np.float64), weights[:, order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
    positive = np.add.reduceat(w * outcome, starts, axis=1)
    negative = np.add.reduceat(w * (1 - outcome), starts, axis=1)
    below = np.cumsum(negative, axis=1) - negative
    pairs = positive.sum(axis=1) * negative.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (positive * (below + 0.5 * negative)).sum(axis=1) / pairs


def held_out(customer_ids: np.ndarray) -> np.ndarray:
    """The held-out customers: a fixed quarter, chosen by a hash of the customer id, that no
    version ever trains on. Every version is measured on customers it has not seen, and a new
    version and the one in use are compared on the same ones (a fresh random split would hold
    out customers the version in use was fitted on, and flatter it)."""
    # Fibonacci hashing: the top two bits of id * 2**32 / golden ratio, taken modulo 2**32.
    hashed = (customer_ids.astype(np.uint64) * np.uint64(2654435769)) % np.uint64(2**32)
    return (hashed >> np.uint64(30)) == 0


def _held_out_split(
    y: np.ndarray, customer_ids: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    ids = np.arange(len(y)) if customer_ids is None else np.asarray(customer_ids)
    mask = held_out(ids)
    train, test = np.flatnonzero(~mask), np.flatnonzero(mask)
    for part, rows in (("training", train), ("held-out", test)):
        positives = int(y[rows].sum())
        if positives == 0 or positives == len(rows):
            raise NotEnoughHistory(
                f"The {part} customers ({len(rows)}) hold only one outcome: more history is "
                "needed to train and measure a model."
            )
    return train, test


def _roc_auc(y: np.ndarray, probability: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, probability))


def _held_out_metrics(y: np.ndarray, probability: np.ndarray) -> dict:
    from sklearn.metrics import brier_score_loss

    return {
        "roc_auc": round(_roc_auc(y, probability), 4),
        "brier": round(float(brier_score_loss(y, probability)), 4),
    }


def _incumbent_metrics(score, y: np.ndarray, new: np.ndarray, seed: int) -> dict:
    """The version in use, measured on the held-out rows, and the interval of the new
    version's gain over it ("auc_gain_ci"); when it cannot read them (it uses a feature that
    no longer exists) it could not score customers either, and says so."""
    try:
        probability = score()
    except (KeyError, ValueError) as error:
        return {"error": f"cannot score these customers: {error}"}
    return {
        **_held_out_metrics(y, probability),
        "auc_gain_ci": auc_gain_interval(y, new, probability, seed=seed),
    }


class _Table:
    """A bare feature table for scoring arrays during a fit."""

    def __init__(self, values: np.ndarray):
        self.values = values
        self.customer_ids = np.arange(len(values))

    def __len__(self):
        return len(self.values)


def _churn_params(values: np.ndarray, y: np.ndarray) -> dict:
    names = [n for i, n in enumerate(NAMES) if np.ptp(values[:, i]) > 0]
    columns = [NAMES.index(n) for n in names]
    x = values[:, columns].copy()
    for i, name in enumerate(names):
        if name in CHURN_LOG_FEATURES:
            x[:, i] = np.log1p(np.maximum(x[:, i], 0))
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    # Sigmoid calibration of a logistic model rescales its logit: the result is again one
    # linear model, which is what the scorer applies.
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    calibrated = CalibratedClassifierCV(
        LogisticRegression(C=0.3, max_iter=2000), method="sigmoid", cv=5, ensemble=False
    ).fit(z, y)
    fitted = calibrated.calibrated_classifiers_[0]
    model, calibrator = fitted.estimator, fitted.calibrators[0]
    a, b = float(calibrator.a_), float(calibrator.b_)
    return {
        "features": names,
        "log_features": [n for n in names if n in CHURN_LOG_FEATURES],
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": (-a * model.coef_[0]).round(6).tolist(),
        "intercept": round(-(a * float(model.intercept_[0]) + b), 6),
    }


# --- Credit scorecard -----------------------------------------------------------------------

PDO = 20.0  # points to double the odds
SCORE_AT_ODDS = (600.0, 19.0)  # 600 points at 19 good to 1 bad (5 % default)
MIN_INFORMATION_VALUE = 0.02


def credit_fit(
    characteristics: dict[str, list],
    y: np.ndarray,
    *,
    customer_ids: np.ndarray | None = None,
    seed: int = 7,
    incumbent: dict | None = None,
) -> tuple[dict, dict]:
    """A scorecard from named characteristics (numbers or categories, None when missing), and
    gradient-boosted trees on the same characteristics when they rank better.

    y is 1 for a bad outcome (default) and 0 for a good one. Both are fitted on the customers
    outside the held-out quarter (``held_out``) and measured on it, as is ``incumbent`` (the
    version in use) for comparison. The artifact is always the points card (its points and
    reasons are the explanation a regulator reads); when the trees are chosen they ride along
    in it (``risk.boosting``) and give the score. The 5-fold figures fit the chosen class anew
    on each fold's training part.
    """
    from sklearn.metrics import brier_score_loss

    _check_labels(y, minimum_positive=10)
    train, test = _held_out_split(y, customer_ids)
    measured_on = _rows(characteristics, test)

    def fit(kind: str, rows: np.ndarray) -> dict:
        card = {"model": "scorecard", **_scorecard(_rows(characteristics, rows), y[rows])}
        if kind == "scorecard":
            return card
        trees = credit_boosted_fit(characteristics, y, rows, seed=seed)
        return {**card, "model": "boosted", **trees}

    artifacts = {kind: fit(kind, train) for kind in ("scorecard", "boosted")}
    scored = {
        kind: credit_default_probability(artifact, measured_on)
        for kind, artifact in artifacts.items()
    }
    chosen = _choose(y[test], scored, simple="scorecard", challenger="boosted")
    card, probability = artifacts[chosen], scored[chosen]
    folds, briers = [], []
    for fold_train, fold_test in _cv_folds(y, seed):
        bad = credit_default_probability(fit(chosen, fold_train), _rows(characteristics, fold_test))
        folds.append(_roc_auc(y[fold_test], bad))
        briers.append(brier_score_loss(y[fold_test], bad))
    metrics = {
        **_held_out_metrics(y[test], probability),
        "cv_roc_auc": round(float(np.mean(folds)), 4),
        "cv_brier": round(float(np.mean(briers)), 4),
        "base_rate": round(float(y.mean()), 4),
        "rows": len(y),
        "held_out_rows": len(test),
        "characteristics": [c["name"] for c in card["characteristics"]],
        "candidates": {kind: _held_out_metrics(y[test], p) for kind, p in scored.items()},
        "chosen": chosen,
    }
    if incumbent is not None:
        metrics["compared_with"] = _incumbent_metrics(
            lambda: credit_default_probability(incumbent, measured_on), y[test], probability, seed
        )
    return card, metrics


def _rows(characteristics: dict[str, list], rows: np.ndarray) -> dict[str, list]:
    return {name: [column[i] for i in rows] for name, column in characteristics.items()}


def _scorecard(characteristics: dict[str, list], y: np.ndarray) -> dict:
    binned = []
    for name, column in characteristics.items():
        spec = _bins(name, column, y)
        if spec and spec["information_value"] >= MIN_INFORMATION_VALUE:
            binned.append(spec)
    woe = (
        np.column_stack(
            [[_woe_of(spec, v) for v in characteristics[spec["name"]]] for spec in binned]
        )
        if binned
        else np.zeros((len(y), 0))
    )
    factor = PDO / math.log(2)
    offset = SCORE_AT_ODDS[0] - factor * math.log(SCORE_AT_ODDS[1])
    if binned:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=1.0, max_iter=2000).fit(woe, y)
        coef, intercept = model.coef_[0], float(model.intercept_[0])
    else:
        coef, intercept = np.zeros(0), math.log(y.mean() / (1 - y.mean()))
    cards = []
    for spec, weight in zip(binned, coef, strict=True):
        for entry in (*spec["bins"], spec["missing"]):
            # ln(good:bad) = -logit(bad); each bin adds its share of it, in points.
            entry["points"] = round(-factor * weight * entry.pop("woe"), 2)
        spec["best_points"] = max(e["points"] for e in (*spec["bins"], spec["missing"]))
        cards.append(spec)
    return {
        "characteristics": cards,
        "base_points": round(offset - factor * intercept, 2),
        "offset": round(offset, 4),
        "factor": round(factor, 4),
    }


def _woe_of(spec: dict, value) -> float:
    return bin_for(spec, spec["bins"], value)["woe"]


def _bins(name: str, column: list, y: np.ndarray, max_bins: int = 5) -> dict | None:
    present = [v is not None and v != "" for v in column]
    numeric = all(_is_number(v) for v, p in zip(column, present, strict=True) if p)
    goods, bads = float((y == 0).sum()), float((y == 1).sum())

    def woe(mask: np.ndarray) -> tuple[float, float]:
        good = float(((y == 0) & mask).sum()) + 0.5
        bad = float(((y == 1) & mask).sum()) + 0.5
        g, b = good / (goods + 1), bad / (bads + 1)
        return math.log(g / b), (g - b) * math.log(g / b)

    bins = []
    missing_mask = ~np.asarray(present)
    if numeric:
        values = np.array([float(v) if p else np.nan for v, p in zip(column, present, strict=True)])
        known = values[~np.isnan(values)]
        if known.size == 0 or np.ptp(known) == 0:
            return None
        edges = np.unique(np.quantile(known, np.linspace(0, 1, max_bins + 1)[1:-1]))
        lower = -math.inf
        for upper in [*edges.tolist(), math.inf]:
            mask = (~np.isnan(values)) & (values >= lower) & (values < upper)
            if mask.sum() == 0:
                continue
            label = _range_label(lower, upper)
            bins.append(
                {"below": None if upper == math.inf else upper, "label": label, "mask": mask}
            )
            lower = upper
        kind = "numeric"
    else:
        texts = np.array([str(v) if p else "" for v, p in zip(column, present, strict=True)])
        categories, counts = np.unique(texts[~missing_mask], return_counts=True)
        if len(categories) < 2:
            return None
        common = [c for c, n in zip(categories, counts, strict=True) if n >= 0.05 * len(y)]
        rare = [c for c in categories if c not in common]
        for category in common:
            bins.append({"categories": [category], "label": category, "mask": texts == category})
        if rare:
            bins.append({"categories": rare, "label": "other", "mask": np.isin(texts, rare)})
        kind = "categorical"
    information_value = 0.0
    for entry in bins:
        entry["woe"], iv = woe(entry.pop("mask"))
        information_value += iv
    if missing_mask.any():
        missing_woe, iv = woe(missing_mask)
        information_value += iv
    else:
        missing_woe = 0.0
    for entry in bins:
        entry["woe"] = round(entry["woe"], 6)
    return {
        "name": name,
        "type": kind,
        "bins": bins,
        "missing": {"label": "not known", "woe": round(missing_woe, 6)},
        "information_value": round(information_value, 4),
    }


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _range_label(lower: float, upper: float) -> str:
    if lower == -math.inf:
        return f"under {upper:g}"
    if upper == math.inf:
        return f"{lower:g} or more"
    return f"{lower:g} to under {upper:g}"
