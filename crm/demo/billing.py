"""What the customers of a block hold and pay: products, subscriptions, invoices and payments."""

from datetime import date, timedelta

import numpy as np

from customers.models import Invoice, Product, Subscription
from customers.services.lifecycle import TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT

from .arrays import int_texts, nullable, object_array, pick, uniform_between
from .catalogue import PRODUCT_MIX, QUANTITY
from .context import DAY
from .lifecycle import PRE_CHURN_DAYS


class BillingRows:
    """Products held and what was billed and paid: subscription and invoice rows."""

    def _products(self):
        """Up to three subscriptions per established customer, drawn before the churn."""
        ctx, rng, n = self.ctx, self.rng, self.n
        slots = 3
        count = pick(rng, (1, 2, 3), n, (0.5, 0.32, 0.18)) + 1
        self.sub_exists = (np.arange(slots)[None, :] < count[:, None]) & self.established[:, None]
        self.sub_product = np.full((n, slots), "", dtype=object)
        self.sub_cents = np.zeros((n, slots), dtype=np.int64)
        for segment, (first, further) in PRODUCT_MIX.items():
            rows = np.flatnonzero(self.segment == segment)
            if not rows.size:
                continue
            low, high = QUANTITY[segment]
            for slot, mix in ((0, first), (1, further), (2, further)):
                codes = object_array(mix)
                chosen = codes[pick(rng, codes, rows.size, list(mix.values()))]
                price = np.array([ctx.product_cents[c] for c in chosen], dtype=np.int64)
                self.sub_product[rows, slot] = chosen
                self.sub_cents[rows, slot] = price * rng.integers(low, high + 1, rows.size)
        # Promotions and negotiated prices: most pay the list price, some less.
        discount = np.where(rng.random((n, slots)) < 0.3, rng.uniform(0.7, 0.95, (n, slots)), 1)
        self.sub_cents = np.maximum((self.sub_cents * discount).round().astype(np.int64), 100)
        families = np.array([[ctx.product_family[c] for c in row] for row in self.sub_product])
        self.sub_family = families.astype(object)

        term = np.array([0, 12, 24])[pick(rng, (0, 12, 24), n * slots, (0.32, 0.2, 0.48))]
        term = term.reshape(n, slots)
        term = np.where(families == Product.Family.DEVICE, 24, term)
        self.sub_term = np.where(families == Product.Family.ADD_ON, 0, term)

        start = self.established_at
        self.sub_start_day = np.empty((n, slots), dtype=np.int64)
        self.sub_start_day[:, 0] = start // DAY
        for slot in (1, 2):
            later = uniform_between(rng, start, np.full(n, ctx.now - DAY))
            self.sub_start_day[:, slot] = np.where(rng.random(n) < 0.5, start, later) // DAY
        self.monthly_charge = (self.sub_cents * self.sub_exists).sum(axis=1)

    def _subscription_rows(self):
        ctx, rng, text = self.ctx, self.rng, self.ctx.text
        owner, slot = np.nonzero(self.sub_exists)
        products = self.sub_product[owner, slot]
        ended = self.sub_ended[owner, slot]
        status = np.select(
            [ended, self.suspended[owner]],
            [Subscription.Status.TERMINATED, Subscription.Status.SUSPENDED],
            Subscription.Status.ACTIVE,
        ).astype(object)
        line_prefix = {
            Product.Family.BROADBAND: "FTTH",
            Product.Family.FIXED_VOICE: "LINE",
            Product.Family.TV: "TV",
            Product.Family.BUNDLE: "BND",
        }
        service = []
        serials = self.ids.serial[owner].tolist()
        for i, s, sl, code, family in zip(owner.tolist(), serials, slot.tolist(), products,
                                          self.sub_family[owner, slot], strict=True):  # fmt: skip
            if code.startswith("WS-") or family == Product.Family.ADD_ON:
                service.append("")
            elif family in (Product.Family.MOBILE, Product.Family.DEVICE):
                number = self.mobile[i]
                service.append(number if sl == 0 else f"{number[:-7]}{(s * 3 + sl) % 10**7:07d}")
            else:
                service.append(f"{line_prefix.get(family, 'SVC')}{s:08d}{sl}")
        start_day = self.sub_start_day[owner, slot]
        end_day = np.where(ended, self.sub_end_day[owner, slot], start_day)
        ordered_at = start_day * DAY + rng.integers(8 * 3600, 19 * 3600, owner.size)
        self.out[Subscription] = {
            "customer_id": self.customer_text[owner],
            "product_id": int_texts(
                np.array([ctx.product_ids[c] for c in products], dtype=np.int64)
            ),
            "service_id": object_array(service),
            "monthly_charge": text.money(self.sub_cents[owner, slot]),
            "contract_term_months": int_texts(self.sub_term[owner, slot]),
            "start_date": text.dates(start_day),
            "end_date": nullable(text.dates(end_day), ended),
            "status": status,
            "created_at": text.stamps(np.minimum(ordered_at, ctx.now - 60)),
        }

    def _invoice_rows(self):
        ctx, rng, n, text = self.ctx, self.rng, self.n, self.ctx.text
        today = ctx.now // DAY
        starts, ends = ctx.month_starts, ctx.month_ends
        active = (
            self.sub_exists[:, :, None]
            & (self.sub_start_day[:, :, None] <= ends[None, None, :])
            & (self.sub_end_day[:, :, None] >= starts[None, None, :])
        )
        base = (self.sub_cents[:, :, None] * active).sum(axis=1)  # customer x month
        issued_all = starts[None, :] + rng.integers(0, 5, n)[:, None]
        month, owner = np.nonzero(((base > 0) & (issued_all < today)).T)  # as billing runs write
        k = owner.size
        issued = issued_all[owner, month]
        due = issued + 14
        usage = 1 + np.maximum(rng.normal(0.015, 0.04, k), 0)
        roaming = np.where(rng.random(k) < 0.03, rng.integers(500, 4000, k), 0)
        amount = (base[owner, month] * usage).round().astype(np.int64) + roaming

        method = self.payment_method_index[owner]
        on_time = np.select(
            [method == 0, method == 1, method == 2],
            [due - rng.integers(0, 2, k), issued + rng.integers(0, 8, k),
             issued + rng.integers(3, 14, k)],
            issued + rng.integers(0, 14, k),
        )  # fmt: skip
        # A customer about to leave pays later than usual.
        leaving = self.terminated[owner] & (
            due * DAY > self.terminated_at[owner] - PRE_CHURN_DAYS * DAY
        )
        late = rng.random(k) < np.where(leaving, 2 * self.late_p[owner] + 0.1, self.late_p[owner])
        paid_day = np.where(late, due + 1 + np.minimum(rng.geometric(1 / 12, k), 120), on_time)
        paid = (rng.random(k) >= self.late_p[owner] * 0.08) & (paid_day < today)

        # Bills behind a suspension or termination for non-payment stay open; a customer who
        # came back from one settled them the day the suspension was lifted.
        dunning_at = np.select(
            [self.suspended & (self.suspension_reason == "non_payment"), self.dunning_suspended,
             self.terminated & (self.termination_reason == "non_payment")],
            [self.suspended_at, self.dunning_suspended_at, self.terminated_at],
            0,
        )[owner]  # fmt: skip
        paid &= ~((dunning_at > 0) & (due * DAY >= dunning_at - 75 * DAY))
        settled = (
            self.past_suspension[owner]
            & self.past_for_debt[owner]
            & (due * DAY >= self.past_suspended_at[owner] - 60 * DAY)
            & (issued * DAY <= self.past_suspended_at[owner])
        )
        paid_day = np.where(settled, self.past_resumed_at[owner] // DAY, paid_day)
        paid |= settled

        # A customer may only leave with money owed for the reasons the lifecycle allows.
        owes_allowed = np.isin(
            self.termination_reason, list(TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT)
        )
        clean_exit = (self.terminated & ~owes_allowed)[owner]
        final_day = self.terminated_at[owner] // DAY
        forced_day = np.minimum(np.maximum(issued, np.minimum(due, final_day)), today - 1)
        paid_day = np.where(clean_exit & ~paid, forced_day, paid_day)
        paid |= clean_exit

        partial = ~paid & (due < today - 30) & (rng.random(k) < 0.1)
        part = (amount * rng.uniform(0.2, 0.9, k)).astype(np.int64)
        # The daily job (01:30) finds a bill unpaid the day after its due date; the last
        # night's bills are left for the real job to find.
        missed_at = (due + 1) * DAY + 5400
        missed = (missed_at < ctx.now) & (~paid | (paid_day > due))
        amount_text = text.money(amount)
        labels = [
            f"INV-{d:%Y%m}-" for d in (date(1970, 1, 1) + timedelta(days=int(s)) for s in starts)
        ]
        serial_text = object_array(f"{s:07d}" for s in self.ids.serial.tolist())
        self.out[Invoice] = {
            "customer_id": self.customer_text[owner],
            "number": object_array(labels)[month] + serial_text[owner],
            "period_start": text.dates(starts[month]),
            "issued_on": text.dates(issued),
            "due_on": text.dates(due),
            "amount": amount_text,
            "paid_amount": np.where(paid, amount_text, text.money(np.where(partial, part, 0))),
            "paid_on": nullable(text.dates(np.where(paid, paid_day, issued)), paid),
            "missed_at": nullable(text.stamps(np.minimum(missed_at, ctx.now - 60)), missed),
        }
