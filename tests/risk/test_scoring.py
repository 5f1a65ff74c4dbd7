"""Scores kept as columns: the figures stored are the ones the Decimal arithmetic gave."""

from decimal import Decimal

import numpy as np

from risk.scoring import ChunkScores


def _scores(lifetime_values: list[str], churn_risks: list[float]) -> ChunkScores:
    rows = len(lifetime_values)
    return ChunkScores(
        customer_ids=np.arange(1, rows + 1),
        churn_risk=np.array(churn_risks),
        credit_score=np.zeros(rows, dtype=np.int64),
        credit_rating=["A"] * rows,
        fraud_risk=np.zeros(rows),
        influence=np.zeros(rows),
        lifetime_value=np.array(lifetime_values),
        network_reach=np.zeros(rows),
        reasons=[{}] * rows,
    )


def test_the_value_at_risk_is_rounded_to_the_cent_as_decimal_rounds_it_halves_to_even():
    rng = np.random.default_rng(3)
    values = [f"{v:.2f}" for v in rng.uniform(-500, 20_000, 5_000)]
    risks = [round(float(r), 4) for r in rng.random(5_000)]
    # Exact halves of a cent, both ways, and negative amounts.
    values += ["0.25", "0.75", "-0.25", "-0.75", "12.50", "0.00"]
    risks += [0.5, 0.5, 0.5, 0.5, 0.0001, 0.9999]

    cents = _scores(values, risks).value_at_risk_cents()

    expected = [
        int((Decimal(v) * Decimal(str(r))).quantize(Decimal("0.01")) * 100)
        for v, r in zip(values, risks, strict=True)
    ]
    assert cents.tolist() == expected


def test_lifetime_values_read_back_in_whole_cents():
    scores = _scores(["1234.56", "-0.05", "0.00"], [0.1, 0.2, 0.3])

    assert scores.lifetime_value_cents().tolist() == [123456, -5, 0]


def test_no_customer_makes_empty_columns():
    assert len(ChunkScores.none()) == 0
    assert ChunkScores.none().value_at_risk_cents().tolist() == []
