"""Fitting the churn model and the credit scorecard; the output is the plain parameters the
scorers in ``risk.scorers`` read.

Both fits report held-out figures: ROC AUC (how well the score ranks who leaves or defaults)
and the Brier score (how close its probabilities are to what happened).

scikit-learn is imported inside the functions that fit: it takes a second to load, and every
``manage.py`` call and web process loads this module with the app.
"""

import math

import numpy as np

from .features import NAMES
from .scorers import bin_for, churn_score

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
    """Fit on the customers outside the held-out quarter and measure on it; also measure by
    5-fold cross-validation over all rows.

    ``incumbent`` is the artifact of the version in use: it is measured on the same held-out
    customers ("compared_with" in the metrics), which it has not trained on either.
    """
    from sklearn.model_selection import StratifiedKFold

    _check_labels(y)
    train, test = _held_out_split(y, customer_ids)
    params = _churn_params(values[train], y[train])
    probability = churn_score(_Table(values[test]), params, reasons=0).values
    folds = []
    for fold_train, fold_test in StratifiedKFold(5, shuffle=True, random_state=seed).split(
        values, y
    ):
        fold_params = _churn_params(values[fold_train], y[fold_train])
        scored = churn_score(_Table(values[fold_test]), fold_params, reasons=0).values
        folds.append(_roc_auc(y[fold_test], scored))
    metrics = {
        **_held_out_metrics(y[test], probability),
        "cv_roc_auc": round(float(np.mean(folds)), 4),
        "base_rate": round(float(y.mean()), 4),
        "rows": len(y),
        "held_out_rows": len(test),
    }
    if incumbent is not None:
        metrics["compared_with"] = _incumbent_metrics(
            lambda: churn_score(_Table(values[test]), incumbent, reasons=0).values, y[test]
        )
    return params, metrics


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


def _incumbent_metrics(score, y: np.ndarray) -> dict:
    """The version in use, measured on the held-out rows; when it cannot read them (it uses
    a feature that no longer exists) it could not score customers either, and says so."""
    try:
        probability = score()
    except (KeyError, ValueError) as error:
        return {"error": f"cannot score these customers: {error}"}
    return _held_out_metrics(y, probability)


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
    """A scorecard from named characteristics (numbers or categories, None when missing).

    y is 1 for a bad outcome (default) and 0 for a good one. The card is fitted on the
    customers outside the held-out quarter (``held_out``) and measured on it, as is
    ``incumbent`` (the card in use) for comparison; the 5-fold figures fit binning and weights
    anew on each fold's training part.
    """
    from sklearn.metrics import brier_score_loss
    from sklearn.model_selection import StratifiedKFold

    _check_labels(y, minimum_positive=10)
    folds, briers = [], []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(
        np.zeros(len(y)), y
    ):
        card = _scorecard(_rows(characteristics, train), y[train])
        bad = _default_probability(card, _rows(characteristics, test))
        folds.append(_roc_auc(y[test], bad))
        briers.append(brier_score_loss(y[test], bad))
    train, test = _held_out_split(y, customer_ids)
    measured_on = _rows(characteristics, test)
    card = _scorecard(_rows(characteristics, train), y[train])
    probability = _default_probability(card, measured_on)
    metrics = {
        **_held_out_metrics(y[test], probability),
        "cv_roc_auc": round(float(np.mean(folds)), 4),
        "cv_brier": round(float(np.mean(briers)), 4),
        "base_rate": round(float(y.mean()), 4),
        "rows": len(y),
        "held_out_rows": len(test),
        "characteristics": [c["name"] for c in card["characteristics"]],
    }
    if incumbent is not None:
        metrics["compared_with"] = _incumbent_metrics(
            lambda: _default_probability(incumbent, measured_on), y[test]
        )
    return card, metrics


def _rows(characteristics: dict[str, list], rows: np.ndarray) -> dict[str, list]:
    return {name: [column[i] for i in rows] for name, column in characteristics.items()}


def _default_probability(card: dict, characteristics: dict[str, list]) -> np.ndarray:
    n = len(next(iter(characteristics.values())))
    points = np.full(n, float(card["base_points"]))
    for characteristic in card["characteristics"]:
        column = characteristics.get(characteristic["name"], [None] * n)
        points += [bin_for(characteristic, characteristic["bins"], v)["points"] for v in column]
    log_odds = (points - card["offset"]) / card["factor"]
    return 1.0 / (1.0 + np.exp(log_odds))


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
