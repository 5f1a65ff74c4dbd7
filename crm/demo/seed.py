"""The entry point: reference data and the run's context first, then the customer base in
batches, on PostgreSQL or SQLite."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from customers.models import Customer, Partner, Product

from .catalogue import ACCESS, CATALOGUE, OPTIONS, PARTNERS, STAFF
from .context import (
    BILLING_MONTHS,
    DAY,
    DEFAULT_BATCH_SIZE,
    HISTORY_MONTHS,
    REASONS_USED,
    TRANSITION_REASONS,
    Context,
    TextForms,
    epoch_day,
    month_start,
)
from .generator import TABLE_ORDER
from .loader import postgres_load, sqlite_load


def demo_base_seed(
    *,
    customers: int,
    seed: int = 42,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], object] | None = None,
    notify: Callable[[str], object] | None = None,
    as_of: date | None = None,
) -> dict[str, int]:
    """Add ``customers`` synthetic customers with their whole history; returns rows per table.

    ``progress`` is called with the number of customers of each written batch and ``notify``
    with a message when a long step without progress begins. ``as_of`` is the reference day the
    history leads up to (today by default). On PostgreSQL, a load of at least
    ``BULK_LOAD_MIN_CUSTOMERS`` that at least doubles the base runs as one bulk transaction (see
    ``postgres_load``).
    """
    if customers < 1:
        raise ValueError("The number of customers must be at least 1.")
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    reasons_check()
    counts: dict[str, int] = {}
    ctx = run_context(customers=customers, seed=seed, as_of=as_of, counts=counts)
    if connection.vendor == "postgresql":
        counts |= postgres_load(ctx, customers, batch_size, progress, notify)
        # Fresh statistics, so the planner knows the tables are no longer empty.
        with connection.cursor() as cursor:
            for model in TABLE_ORDER:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    else:
        counts |= sqlite_load(ctx, customers, batch_size, progress)
    return counts


def run_context(
    *, customers: int, seed: int, as_of: date | None, counts: dict[str, int]
) -> Context:
    """What every block of a run shares, after making sure the catalogue, the partners and the
    staff exist (their rows are added to ``counts``)."""
    reference_day = as_of or timezone.localdate()
    now_day = epoch_day(reference_day)
    now = int(datetime.combine(reference_day, time.min, tzinfo=UTC).timestamp())
    current_month = month_start(reference_day)
    month_starts = np.array(
        [epoch_day(month_start(current_month, m)) for m in range(-BILLING_MONTHS + 1, 2)]
    )
    products = _catalogue_ensure(counts)
    partner_ids = _partners_ensure(counts)
    managers, agents = _staff_ensure(counts)
    return Context(
        seed=seed,
        first_index=Customer.objects.count(),
        total=customers,
        now=now,
        history_start=epoch_day(month_start(current_month, -HISTORY_MONTHS)) * DAY,
        month_starts=month_starts[:-1],
        month_ends=month_starts[1:] - 1,
        text=TextForms(now_day - 120 * 366, now_day + 400),
        product_ids={p.code: p.pk for p in products},
        product_cents={p.code: int(p.list_price * 100) for p in products},
        product_family={p.code: p.family for p in products},
        partner_ids=np.array(partner_ids, dtype=np.int64),
        manager_ids=np.array(managers, dtype=np.int64),
        agent_ids=np.array(agents, dtype=np.int64),
        stale_lead_days=settings.CRM_STALE_LEAD_DAYS,
    )


def reasons_check() -> None:
    for action, used in REASONS_USED.items():
        unknown = used - set(TRANSITION_REASONS.get(action, ()))
        if unknown:
            raise RuntimeError(
                f"The lifecycle no longer accepts {', '.join(sorted(unknown))} to {action}; "
                "update the demo data."
            )


def _catalogue_ensure(counts: dict[str, int]) -> list[Product]:
    products = []
    for code, name, family, price, margin in CATALOGUE:
        given = {
            "option": OPTIONS.get(code, Product.Option.NONE),
            "access": ACCESS.get(code, Product.Access.NONE),
        }
        product, _ = Product.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "family": family,
                "list_price": Decimal(price),
                "margin_rate": Decimal(margin),
                **given,
            },
        )
        # A catalogue seeded before products had options or an access network gets them.
        if any(getattr(product, field) != value for field, value in given.items()):
            Product.objects.filter(pk=product.pk).update(**given)
        products.append(product)
    counts["products"] = len(products)
    return products


def _partners_ensure(counts: dict[str, int]) -> list[int]:
    ids = []
    for name, status in PARTNERS:
        partner, _ = Partner.objects.get_or_create(name=name, defaults={"status": status})
        if partner.status == Partner.Status.APPROVED:
            ids.append(partner.pk)
    counts["partners"] = len(PARTNERS)
    return ids


def _staff_ensure(counts: dict[str, int]) -> tuple[list[int], list[int]]:
    """Staff who manage accounts and handle contacts; they cannot log in until given a password."""
    User = get_user_model()
    managers, agents = [], []
    for username, first, last, role in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True,
                      "email": f"{username}@staff.example.com"},
        )  # fmt: skip
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            group = Group.objects.filter(name=role).first()
            if group:
                user.groups.add(group)
        (managers if role == "manager" else agents).append(user.pk)
    counts["staff users"] = len(STAFF)
    return managers, agents
