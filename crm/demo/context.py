"""What every block of a run shares: sizes, the reference day, text forms, reserved ids."""

from dataclasses import dataclass
from datetime import date

import numpy as np
from django.db import models

from customers.models import Customer
from customers.services.lifecycle import TRANSITIONS

from .arrays import object_array

BLOCK = 1000
DEFAULT_BATCH_SIZE = 20_000
BULK_LOAD_MIN_CUSTOMERS = 50_000
ACTOR_LABEL = "seed_demo"
HISTORY_MONTHS = 60
BILLING_MONTHS = 24
DAY = 86_400

# National ids, registration numbers and phone numbers embed a permutation of the customer's
# index, which keeps them unique for the first ten million customers of a database.
UNIQUE_SPACE = 10_000_000
UNIQUE_STRIDE = 7_654_321  # coprime with UNIQUE_SPACE, so the map is a permutation

Status = Customer.Status
Segment = Customer.Segment


class TextForms:
    """Fast text forms of dates, timestamps and amounts, shared by all blocks of a run."""

    def __init__(self, first_day: int, last_day: int):
        self.first_day = first_day
        days = np.arange(first_day, last_day + 1).astype("datetime64[D]")
        self._dates = object_array(days.astype("U10").tolist())
        self._clock = object_array([f" {h:02d}:{m:02d}:" for h in range(24) for m in range(60)])
        self._seconds = object_array([f"{s:02d}" for s in range(60)])
        self._euros = object_array([str(e) for e in range(100_000)])
        self._cents = object_array([f".{c:02d}" for c in range(100)])

    def dates(self, days: np.ndarray) -> np.ndarray:
        return self._dates[days - self.first_day]

    def stamps(self, seconds: np.ndarray) -> np.ndarray:
        days, rest = np.divmod(seconds, DAY)
        return (
            self._dates[days - self.first_day] + self._clock[rest // 60] + self._seconds[rest % 60]
        )

    def money(self, cents: np.ndarray) -> np.ndarray:
        euros, rest = np.divmod(cents, 100)
        if euros.size and euros.max() >= len(self._euros):
            cents = self._cents[rest]
            return object_array([f"{e}{c}" for e, c in zip(euros.tolist(), cents, strict=True)])
        return self._euros[euros] + self._cents[rest]


TRANSITION_REASONS = {
    action: tuple(code for code, _ in transition.reasons)
    for action, transition in TRANSITIONS.items()
}
# Every reason the generator writes, per lifecycle action.
REASONS_USED = {
    "qualify": {"need_confirmed", "referral"},
    "establish": {"first_order", "contract_signed", "migration"},
    "disqualify": {"no_need", "no_budget", "unreachable", "not_serviceable", "chose_competitor",
                   "failed_verification"},
    "suspend": {"non_payment", "customer_request", "fraud_suspected", "legal_hold"},
    "resume": {"balance_settled", "customer_request"},
    "terminate": {"voluntary_churn", "competitor", "moved_away", "non_payment", "fraud",
                  "deceased", "business_closed"},
}  # fmt: skip


@dataclass
class Context:
    seed: int
    first_index: int  # how many customers the database held before this run
    total: int  # customers in this run
    now: int  # the reference instant (midnight UTC of the reference day), epoch seconds
    history_start: int
    month_starts: np.ndarray  # first day of each billing month, epoch days, oldest first
    month_ends: np.ndarray  # last day of each billing month
    text: "TextForms"
    product_ids: dict[str, int]
    product_cents: dict[str, int]
    product_family: dict[str, str]
    partner_ids: np.ndarray
    manager_ids: np.ndarray
    agent_ids: np.ndarray
    stale_lead_days: int


@dataclass
class Ids:
    """Primary keys and customer serials reserved for one block."""

    party: np.ndarray
    customer: np.ndarray
    serial: np.ndarray

    def __getitem__(self, part: slice) -> "Ids":
        return Ids(self.party[part], self.customer[part], self.serial[part])


Tables = dict[type[models.Model], dict[str, np.ndarray]]


def month_start(day: date, months_later: int = 0) -> date:
    total = day.year * 12 + day.month - 1 + months_later
    return date(total // 12, total % 12 + 1, 1)


def epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days
