"""The five scorers: numbers in, scores and readable reasons out, with numpy and no database.

Each scorer reads a ``FeatureTable`` and the parameters of one model version (plain numbers,
as stored in ``RiskModel.artifact``) and scores every row at once.

* churn: a logistic model over standardised features, calibrated, so its output is the
  probability of leaving within the training horizon; the reasons are the features pushing
  that probability up the most.
* credit: a scorecard; each characteristic falls into a bin worth some points, the points add
  up to a score, and the score falls into a rating band.
* fraud: signals an analyst would look for, each with a weight; the score is the chance that at
  least one of them means fraud.
* influence: how much churn a customer could pull with them: their churn risk and
  dissatisfaction times their reach in the referral, household and organisation graph.
* value: contractual lifetime value, the monthly margin kept for as long as the customer is
  expected to stay, discounted.

Amounts in reasons are told in the customer's currency, as every page shows money.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.conf import settings

from crm.formatting import money

from .features import (
    AMOUNTS,
    NAMES,
    NO_CONTRACT_DAYS,
    PAYMENT_METHODS,
    PERSONAL,
    PHRASES,
    FeatureTable,
)


@dataclass(frozen=True)
class Scored:
    """Scores of every row of a feature table, and up to three reasons per row."""

    values: np.ndarray
    reasons: list[list[str]]
    bands: list[str] | None = None


def _plural(count: float, one: str, many: str | None = None) -> str:
    count = int(count + 0.5)  # counts are never negative
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _amount(value: float, currency: str) -> str:
    """The amount rounded to cents, in ``currency`` and the product's locale: "€34,505.81"."""
    return _formatted(f"{value:.2f}", currency, settings.CRM_LOCALE)


# A chunk repeats the same few amounts (a product's price, the margin of a common bundle):
# each is formatted once.
@lru_cache(maxsize=8192)
def _formatted(cents: str, currency: str, locale: str) -> str:
    return money(cents, currency, locale)


# How each feature reads in a sentence, given its value (in ``currency`` for an amount), when
# it raises a risk.
def _phrase(name: str, value: float, currency: str | None = None) -> str:
    if name in PHRASES:
        return PHRASES[name](value)
    if name in AMOUNTS:
        return _amount_phrase(name, _amount(value, currency or settings.CRM_CURRENCY))
    match name:
        case "tenure_months":
            return f"customer for {_plural(value, 'month')} only"
        case "month_to_month":
            return "no contract (month to month)"
        case "contract_ends_in_days":
            return f"contract ends in {int(value)} days"
        case "contract_months":
            return f"{int(value)}-month contract"
        case "subscriptions_30d":
            return f"{_plural(value, 'subscription')} started in the last 30 days"
        case "invoices_12m":
            return f"{_plural(value, 'invoice')} in the last 12 months"
        case "age":
            return f"aged {int(value)}"
        case "age_known":
            return "birth date known"
        case "business":
            return "business customer"
        case "organization":
            return "organisation customer"
        case "survey_answers_365d":
            return f"{_plural(value, 'survey answer')} in the last 12 months"
        case "negative_answers_365d":
            return f"{_plural(value, 'unhappy survey answer')} in the last 12 months"
        case "positive_answers_365d":
            return f"{_plural(value, 'happy survey answer')} in the last 12 months"
        case "household_links":
            return f"{_plural(value, 'household member')} known"
        case "referrals_made":
            return f"referred {_plural(value, 'customer')}"
        case "late_invoices_6m":
            return f"{_plural(value, 'late payment')} in the last 6 months"
        case "late_invoices_12m":
            return f"{_plural(value, 'late payment')} in the last 12 months"
        case "unpaid_60d":
            return f"{_plural(value, 'invoice')} unpaid for over 60 days"
        case "complaints_90d":
            return f"{_plural(value, 'complaint')} in the last 90 days"
        case "complaints_365d":
            return f"{_plural(value, 'complaint')} in the last 12 months"
        case "billing_contacts_90d":
            return f"{_plural(value, 'billing contact')} in the last 90 days"
        case "interactions_90d":
            return f"{_plural(value, 'contact')} in the last 90 days"
        case "active_products":
            return f"holds {_plural(value, 'product')}"
        case "senior":
            return "aged 65 or over"
        case "paper_statements":
            return "paper statements"
        case _ if name.startswith("pays_"):
            return "pays by " + name[5:].replace("_", " ")
        case _ if name.startswith("family_"):
            return f"{_plural(value, name[7:].replace('_', ' ') + ' product')}"
    return f"{name.replace('_', ' ')} {value:g}"


def _amount_phrase(name: str, amount: str) -> str:
    match name:
        case "monthly_charges":
            return f"pays {amount} a month"
        case "monthly_margin":
            return f"monthly margin {amount}"
        case "billed_12m":
            return f"billed {amount} in the last 12 months"
        case "unpaid_balance":
            return f"{amount} overdue"
    raise ValueError(f"{name} is not an amount")


# Features whose absence says nothing worth telling (a zero count, no contract end).
def _worth_saying(name: str, value: float) -> bool:
    if name == "contract_ends_in_days":
        return value < NO_CONTRACT_DAYS
    if name == "tenure_months":
        return True
    return value != 0


# --- Churn ----------------------------------------------------------------------------------


def churn_score(table: FeatureTable, params: dict, *, reasons: int = 3) -> Scored:
    names = params["features"]
    columns = [NAMES.index(n) for n in names]
    raw = table.values[:, columns]
    z = (_transform(raw, names, params.get("log_features", [])) - params["mean"]) / params["scale"]
    contributions = z * np.asarray(params["coef"])
    logit = contributions.sum(axis=1) + params["intercept"]
    probability = 1.0 / (1.0 + np.exp(-logit))
    return Scored(probability, _top_reasons(table, contributions, raw, names, reasons))


def _transform(raw: np.ndarray, names: list[str], log_features: list[str]) -> np.ndarray:
    out = raw.copy()
    for i, name in enumerate(names):
        if name in log_features:
            out[:, i] = np.log1p(np.maximum(out[:, i], 0))
    return out


def _top_reasons(table: FeatureTable, contributions, raw, names, limit: int) -> list[list[str]]:
    order = np.argsort(-contributions, axis=1)[:, :limit]
    result = []
    for row, picks in enumerate(order):
        said = []
        for column in picks:
            if contributions[row, column] <= 0.05:
                break
            value = raw[row, column]
            if _worth_saying(names[column], value):
                said.append(_phrase(names[column], value, table.currency(row)))
        result.append(said)
    return result


# --- Credit ---------------------------------------------------------------------------------

# Probability-of-default upper bounds of the rating bands, best first.
RATING_BANDS = (("A", 0.02), ("B", 0.05), ("C", 0.10), ("D", 0.20), ("E", 1.01))


def credit_score(
    table: FeatureTable, params: dict, applications: list[dict] | None = None
) -> Scored:
    """Points per characteristic from the scorecard's bins; the score is their sum.

    ``applications`` holds each row's declared credit-application characteristics (or {}),
    which the scorecard reads alongside the payment behaviour in ``table``. The reasons are the
    characteristics scoring furthest below their best bin, told as the customer's own facts;
    one that does not apply to the customer (a person's age for an organisation) is scored as
    not known and never given as a reason.
    """
    n = len(table)
    points = np.full(n, float(params["base_points"]))
    worst: list[list[tuple[float, str]]] = [[] for _ in range(n)]
    for characteristic in params["characteristics"]:
        name = characteristic["name"]
        from_table = name in NAMES
        if from_table:
            values = table.known_values(name)
            applies = table.applies(name).tolist()
        else:
            values = [(applications[i] if applications else {}).get(name) for i in range(n)]
            applies = [True] * n
        awarded = _bin_points(characteristic, values)
        points += awarded
        best = characteristic["best_points"]
        # Only the rows this characteristic cost points are told.
        for i in np.flatnonzero(np.asarray(applies) & (awarded < best - 1e-9)).tolist():
            said = (
                _credit_phrase(name, values[i], table.currency(i))
                if from_table
                else _declared_phrase(name, values[i])
            )
            if said:
                worst[i].append((awarded[i] - best, said))
    score = np.rint(points).clip(0, 999)
    log_odds = (score - params["offset"]) / params["factor"]  # ln(good:bad)
    default_probability = 1.0 / (1.0 + np.exp(log_odds))
    bands = [next(band for band, bound in RATING_BANDS if p < bound) for p in default_probability]
    reasons = [[text for _, text in sorted(row)[:3]] for row in worst]
    return Scored(score, reasons, bands)


# How a flag reads when it is off and that costs points.
_FLAG_OFF = {
    "age_known": "birth date not known",
    "senior": "under 65",
    "business": "residential customer",
    "organization": "private customer",
    "month_to_month": "on a fixed-term contract",
    "paper_statements": "no paper statements",
    **{
        f"pays_{method}": f"does not pay by {method.replace('_', ' ')}"
        for method in PAYMENT_METHODS
    },
}


def _credit_phrase(name: str, value: float | None, currency: str | None = None) -> str:
    """A feature of the customer as a reason for a lower credit score (an amount in
    ``currency``), or "" when it is a zero count or amount: "0 late payments" explains nothing
    to a person, even where a scorecard's bins give slightly fewer points for none than for
    one."""
    if value is None:  # only what comes from a birth date can be unknown
        return "birth date not known" if name in PERSONAL else ""
    if value == 0 and name in _FLAG_OFF:
        return _FLAG_OFF[name]
    if name == "tenure_months":  # without the churn reason's "only": the bins decide
        return (
            "customer for less than a month"
            if value < 1
            else f"customer for {_plural(value, 'month')}"
        )
    return _phrase(name, value, currency) if _worth_saying(name, value) else ""


def _declared_phrase(name: str, value) -> str:
    """A fact from the customer's credit application as a reason for a lower credit score."""
    if value is None or value == "":
        return f"{_words(name)} not declared"
    if isinstance(value, float):
        value = f"{value:g}"
    return f"{_words(name)} declared as {str(value)[:60]}"


def _words(name: str) -> str:
    return name.replace("_", " ").strip()


def _bin_points(characteristic: dict, values: list) -> np.ndarray:
    bins = characteristic["bins"]
    return np.array([bin_for(characteristic, bins, value)["points"] for value in values], float)


def bin_for(characteristic: dict, bins: list[dict], value) -> dict:
    if value is None or value == "":
        return characteristic["missing"]
    if characteristic["type"] == "numeric":
        try:
            number = float(value)
        except (TypeError, ValueError):
            return characteristic["missing"]
        for entry in bins:
            # The last bin is open-ended ("below": None): JSON has no infinity.
            if entry["below"] is None or number < entry["below"]:
                return entry
        return bins[-1]
    text = str(value)
    for entry in bins:
        if text in entry["categories"]:
            return entry
    return characteristic["missing"]


# --- Fraud ----------------------------------------------------------------------------------

# (signal, weight) : the weight is -ln(1 - p), p the share of such customers found fraudulent.
FRAUD_SIGNALS = {
    "shares_contact": 0.7,  # per unrelated customer sharing an e-mail or phone, up to 3
    "shares_address": 0.25,  # per unrelated customer at the same address beyond the first
    "subscription_burst": 0.8,  # 3 or more subscriptions started within 30 days
    "new_and_not_paying": 1.2,  # under 6 months and an invoice unpaid for over 60 days
    "early_unpaid_balance": 0.5,  # under 3 months with anything overdue
}


def fraud_score(table: FeatureTable, signals: dict[str, np.ndarray], params: dict) -> Scored:
    """``signals`` holds per-row counts gathered across customers (shared contacts …)."""
    weights = params.get("weights", FRAUD_SIGNALS)
    tenure = table.column("tenure_months")
    shared_contact = np.minimum(signals["shared_contact"], 3)
    # One unrelated person at the address is a flatmate or a previous tenant; more is a pattern.
    shared_address = np.minimum(np.maximum(signals["shared_address"] - 1, 0), 5)
    burst = signals["recent_subscriptions"] >= 3
    new_not_paying = (tenure < 6) & (table.column("unpaid_60d") > 0)
    early_unpaid = (tenure < 3) & (table.column("unpaid_balance") > 0)
    hazard = (
        weights["shares_contact"] * shared_contact
        + weights["shares_address"] * shared_address
        + weights["subscription_burst"] * burst
        + weights["new_and_not_paying"] * new_not_paying
        + weights["early_unpaid_balance"] * early_unpaid
    )
    risk = 1.0 - np.exp(-hazard)
    reasons: list[list[str]] = [[] for _ in range(len(table))]
    # Most customers show no signal: only those who do are told, from plain lists.
    flagged = np.flatnonzero(
        (shared_contact > 0) | burst | new_not_paying | early_unpaid | (shared_address > 0)
    )
    contacts, recent, addresses = (
        signals[name][flagged].tolist()
        for name in ("shared_contact", "recent_subscriptions", "shared_address")
    )
    for n, i in enumerate(flagged.tolist()):
        said = []
        if shared_contact[i]:
            said.append(f"e-mail or phone shared with {_plural(contacts[n], 'unrelated customer')}")
        if burst[i]:
            said.append(f"{_plural(recent[n], 'subscription')} started in 30 days")
        if new_not_paying[i]:
            said.append("new customer with an invoice unpaid for over 60 days")
        elif early_unpaid[i]:
            said.append("new customer already overdue")
        if shared_address[i]:
            said.append(f"address shared with {_plural(addresses[n], 'unrelated customer')}")
        reasons[i] = said[:3]
    return Scored(risk, reasons)


# --- Influence ------------------------------------------------------------------------------


def influence_score(
    table: FeatureTable, churn: np.ndarray, reach: np.ndarray, links: np.ndarray
) -> Scored:
    """Expected churn a customer could pull with them.

    ``reach`` is the customer's PageRank in the relationship graph relative to the average
    customer (1.0 = average, 0 when unconnected) and ``links`` their direct connections. A
    dissatisfied customer (recent complaints, unhappy survey answers) who leaves is likelier
    to take others along.
    """
    complaints = table.column("complaints_90d")
    unhappy_answers = table.column("negative_answers_365d")
    dissatisfaction = np.minimum(complaints + unhappy_answers, 3) / 3.0
    pull = churn * (1.0 + dissatisfaction) * (0.3 * links + 0.5 * reach)
    reasons = []
    for i in range(len(table)):
        said = []
        if links[i]:
            said.append(f"connected to {_plural(links[i], 'customer')}")
        if reach[i] >= 2:
            said.append(f"reach {reach[i]:.1f} times the average customer's")
        if complaints[i] and links[i]:
            said.append(f"dissatisfied: {_plural(complaints[i], 'complaint')} in 90 days")
        if unhappy_answers[i] and links[i]:
            said.append(
                f"dissatisfied: {_plural(unhappy_answers[i], 'unhappy survey answer')} in 12 months"
            )
        reasons.append(said)
    return Scored(pull, reasons)


# --- Value ----------------------------------------------------------------------------------


def value_score(table: FeatureTable, churn_90d: np.ndarray, params: dict) -> Scored:
    """Discounted margin over ``horizon_months``, with monthly retention from the churn risk.

    With retention r per month and discount d, month t is worth margin * r**t / (1+d)**t; the
    sum is a geometric series.
    """
    horizon = params.get("horizon_months", 36)
    monthly_discount = (1 + params.get("annual_discount_rate", 0.10)) ** (1 / 12) - 1
    retention = np.clip(1.0 - churn_90d, 0.0, 1.0) ** (1 / 3)
    q = retention / (1 + monthly_discount)
    series = np.where(np.isclose(q, 1.0), horizon, q * (1 - q**horizon) / np.maximum(1 - q, 1e-12))
    margin = table.column("monthly_margin")
    value = np.round(margin * series, 2)
    expected_months = np.where(
        retention < 1, np.minimum(1 / np.maximum(1 - retention, 1e-9), horizon), horizon
    )
    reasons = [
        [
            f"keeps {_amount(margin[i], table.currency(i))} a month",
            f"expected to stay about {_plural(expected_months[i], 'month')}",
        ]
        for i in range(len(table))
    ]
    return Scored(value, reasons)
