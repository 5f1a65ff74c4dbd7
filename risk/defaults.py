"""Parameters a new install scores with until it has the history to train its own models.

The churn weights and the credit scorecard below are expert settings in the same form the
training produces: the signs and sizes follow what telecom churn and credit studies report
(no contract, complaints and late payments raise churn; a long tenure and several products
lower it), so scores rank customers sensibly from the first day. ``manage.py train_model``
replaces them once the CRM has seen enough customers leave or default.
"""

import math

from .scorers import FRAUD_SIGNALS
from .training import PDO, SCORE_AT_ODDS

_FACTOR = PDO / math.log(2)
_OFFSET = SCORE_AT_ODDS[0] - _FACTOR * math.log(SCORE_AT_ODDS[1])

_CHURN_WEIGHTS = {
    "month_to_month": 0.9,
    "tenure_months": -0.45,  # of log(1 + months)
    "active_products": -0.25,
    "late_invoices_6m": 0.35,
    "unpaid_60d": 0.5,
    "complaints_90d": 0.6,
    "negative_answers_365d": 0.5,
    "billing_contacts_90d": 0.2,
    "pays_bank_transfer": 0.3,
    "pays_cash": 0.3,
}

CHURN = {
    "features": list(_CHURN_WEIGHTS),
    "log_features": ["tenure_months"],
    "mean": [0.0] * len(_CHURN_WEIGHTS),
    "scale": [1.0] * len(_CHURN_WEIGHTS),
    "coef": list(_CHURN_WEIGHTS.values()),
    "intercept": -2.2,
}


def _numeric(name: str, bins: list[tuple[float | None, str, float]], missing: float = 0.0) -> dict:
    entries = [{"below": below, "label": label, "points": points} for below, label, points in bins]
    return {
        "name": name,
        "type": "numeric",
        "bins": entries,
        "missing": {"label": "not known", "points": missing},
        "best_points": max([missing, *(points for _, _, points in bins)]),
    }


CREDIT = {
    "characteristics": [
        _numeric(
            "late_invoices_12m",
            [(1, "none", 25.0), (3, "1 to 2", -5.0), (None, "3 or more", -45.0)],
        ),
        _numeric("unpaid_60d", [(1, "none", 15.0), (None, "1 or more", -70.0)]),
        _numeric(
            "tenure_months",
            [(6, "under 6", -20.0), (24, "6 to under 24", 0.0), (None, "24 or more", 15.0)],
        ),
    ],
    "base_points": 560.0,
    "offset": round(_OFFSET, 4),
    "factor": round(_FACTOR, 4),
}

FRAUD = {"weights": dict(FRAUD_SIGNALS)}

INFLUENCE: dict = {}

VALUE = {"horizon_months": 36, "annual_discount_rate": 0.10}

ARTIFACTS = {
    "churn": CHURN,
    "credit": CREDIT,
    "fraud": FRAUD,
    "influence": INFLUENCE,
    "value": VALUE,
}
