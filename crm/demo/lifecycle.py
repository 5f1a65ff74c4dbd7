"""When things happened to the customers of a block: from lead to today, who churned and why,
the status; their customer, lifecycle and action log rows."""

import json

import numpy as np
from django.conf import settings

from customers.models import ActionLog, Customer, LifecycleEvent

from .arrays import (
    blanks,
    constant,
    draw,
    int_texts,
    nullable,
    nulls,
    object_array,
    pick,
    sigmoid,
    uniform_between,
)
from .context import ACTOR_LABEL, DAY, Segment, Status

# Calibrated so that about a quarter of the base has churned within the billing window.
CHURN_INTERCEPT = -1.95
# How long before leaving a churner complains and pays late more than usual.
PRE_CHURN_DAYS = 120


def transition_data(source, target, reason) -> np.ndarray:
    cache: dict[tuple, str] = {}
    out = []
    for key in zip(source, target, reason, strict=True):
        data = cache.get(key)
        if data is None:
            data = cache[key] = json.dumps(
                {"from": key[0], "to": key[1], "reason": key[2], "note": ""}
            )
        out.append(data)
    return object_array(out)


class LifecycleRows:
    """When things happened: the lifecycle from lead to today, churn, the status,
    and the customer and lifecycle rows."""

    def _lifecycle(self):
        ctx, rng, n, now = self.ctx, self.rng, self.n, self.ctx.now
        # Creation times follow the index, so a higher customer number is a newer customer.
        position = (self.index - ctx.first_index + rng.random(n)) / ctx.total
        self.created = ctx.history_start + (position * (now - ctx.history_start - 3600)).astype(
            np.int64
        )
        age_days = (now - self.created) / DAY

        # Fresh records are mostly still leads; a few old ones never moved on.
        still_open = rng.random(n) < 0.85 * np.exp(-age_days / 40) + 0.012
        self.disqualified = ~still_open & (rng.random(n) < 0.04) & (age_days > 2)
        self.established = ~still_open & ~self.disqualified
        self.prospect = still_open & (rng.random(n) < 0.35)
        self.lead = still_open & ~self.prospect

        walk_in = rng.random(n) < 0.4
        delay = np.where(walk_in, 0, rng.exponential(7 * DAY, n)).astype(np.int64)
        self.established_at = np.minimum(self.created + delay + 600, now - 3600)
        self.disqualified_at = np.minimum(self.created + rng.integers(DAY, 60 * DAY, n), now - 60)
        self.qualified = self.prospect | (
            (self.established | self.disqualified) & (rng.random(n) < 0.4)
        )
        qualified_by = np.select(
            [self.established, self.disqualified],
            [self.established_at, self.disqualified_at],
            now - 60,
        )
        self.qualified_at = uniform_between(rng, self.created + 30, qualified_by - 30)

        self.age = 18 + (now - self.created) / (365.25 * DAY) + 70 * rng.beta(2.0, 3.5, n)
        self.birth_day = now // DAY - (self.age * 365.25).astype(np.int64)

        partner_customer = ~self.large & (rng.random(n) < 0.05) & (ctx.partner_ids.size > 0)
        partner = draw(rng, ctx.partner_ids.tolist() or [0], n).astype(np.int64)
        self.partner = np.where(partner_customer, partner, 0)
        manager_share = np.select(
            [self.segment == Segment.ENTERPRISE, self.segment == Segment.WHOLESALE,
             self.segment == Segment.SMALL_BUSINESS],
            [0.9, 0.95, 0.35],
            0.02,
        )  # fmt: skip
        managers = draw(rng, ctx.manager_ids.tolist(), n).astype(np.int64)
        agents = draw(rng, ctx.agent_ids.tolist(), n).astype(np.int64)
        managed = rng.random(n) < manager_share
        self.account_manager = np.where(managed, np.where(self.business, managers, agents), 0)

        referred = rng.random(n) < 0.06
        referred[0] = False
        self.referrer = np.where(referred, (rng.random(n) * np.arange(n)).astype(np.int64), -1)
        # Lead sources are free text typed by agents: the demo writes them as people do.
        sources = ("Web", "Store", "Call centre", "Campaign", "Comparison site", "Door to door")
        self.lead_source = object_array(sources)[pick(rng, sources, n, (30, 25, 18, 12, 10, 5))]
        self.lead_source[self.partner > 0] = "Partner"
        self.lead_source[referred] = "Referral"
        migrated = (age_days > 4 * 365) & (rng.random(n) < 0.5) & ~referred
        self.lead_source[migrated] = "Migration"

        methods = object_array(Customer.PaymentMethod.values)  # direct debit, card, transfer, cash
        method = pick(rng, methods, n, (55, 25, 15, 5))
        self.payment_method_index = np.where(self.business & (rng.random(n) < 0.4), 2, method)
        knows_method = self.established | (self.prospect & (rng.random(n) < 0.3))
        self.payment_method = np.where(knows_method, methods[self.payment_method_index], "")

        establish = ("first_order", "contract_signed", "migration")
        self.establish_reason = object_array(establish)[pick(rng, establish, n, (60, 40, 0))]
        self.establish_reason[migrated] = "migration"
        self.qualify_reason = np.where(referred, "referral", "need_confirmed").astype(object)
        disqualify = ("no_need", "no_budget", "unreachable", "not_serviceable",
                      "chose_competitor", "failed_verification")  # fmt: skip
        self.disqualify_reason = object_array(disqualify)[
            pick(rng, disqualify, n, (25, 20, 20, 10, 20, 5))
        ]

    def _churn(self):
        """Termination and suspension from a logistic function of the latent drivers."""
        ctx, rng, n, now = self.ctx, self.rng, self.n, self.ctx.now
        self.late_logit = rng.normal(-2.6, 1.0, n)
        self.late_z = self.late_logit + 2.6
        self.late_p = sigmoid(self.late_logit)
        self.complaint_rate = np.exp(rng.normal(np.log(0.025), 0.9, n))  # per month
        complaint_z = np.log(self.complaint_rate / 0.025) / 0.9
        tenure_years = (now - self.established_at) / (365.25 * DAY)
        charge_z = np.log(np.maximum(self.monthly_charge, 100) / 3500) / 0.7
        first_term = self.sub_term[:, 0]
        z = (
            CHURN_INTERCEPT
            + 1.1 * (first_term == 0)
            + 0.35 * (first_term == 12)
            + 0.45 * np.clip(charge_z, -2.5, 3)
            + 0.65 * complaint_z
            + 0.55 * self.late_z
            + 1.0 * np.exp(-tenure_years / 1.5)
            + 0.3 * (self.partner > 0)
            - 0.35 * self.business
            - 0.6 * self.large
        )
        self.churn_p = sigmoid(z)
        earliest = np.maximum(self.established_at + 31 * DAY, ctx.month_starts[0] * DAY)
        latest = now - DAY
        self.terminated = self.established & (earliest < latest) & (rng.random(n) < self.churn_p)
        self.terminated_at = uniform_between(rng, earliest, np.full(n, latest))

        r = rng.random(n)
        self.termination_reason = np.select(
            [
                self.is_org & (r < 0.12),
                ~self.is_org & (self.age > 78) & (r < 0.15),
                (self.late_z > 1.2) & (r < 0.55),
                r < 0.015,
                r < 0.11,
                r < 0.11 + 0.89 * 0.55,
            ],
            [
                "business_closed",
                "deceased",
                "non_payment",
                "fraud",
                "moved_away",
                "voluntary_churn",
            ],
            "competitor",
        ).astype(object)

        # Non-payment ends with a dunning suspension first, when there was time for one.
        self.dunning_suspended_at = self.terminated_at - rng.integers(20, 60, n) * DAY
        self.dunning_suspended = (
            self.terminated
            & (self.termination_reason == "non_payment")
            & (self.dunning_suspended_at > self.established_at + 14 * DAY)
        )

        still = self.established & ~self.terminated
        self.suspended_at = uniform_between(
            rng, np.maximum(self.established_at + 14 * DAY, now - 120 * DAY), np.full(n, now - 3600)
        )
        self.suspended = (
            still
            & (rng.random(n) < sigmoid(-3.6 + 1.1 * self.late_z))
            & (self.suspended_at > self.established_at)
        )
        r = rng.random(n)
        self.suspension_reason = np.where(
            self.late_z > 0.8,
            np.where(r < 0.85, "non_payment", "customer_request"),
            np.select(
                [r < 0.1, r < 0.7, r < 0.95],
                ["non_payment", "customer_request", "fraud_suspected"],
                "legal_hold",
            ),
        ).astype(object)

        # Some active customers were suspended once and came back.
        self.past_suspended_at = uniform_between(
            rng, self.established_at + 30 * DAY, np.full(n, now - 30 * DAY)
        )
        self.past_resumed_at = self.past_suspended_at + rng.integers(3, 30, n) * DAY
        self.past_suspension = (
            still
            & ~self.suspended
            & (rng.random(n) < 0.02 + 0.08 * sigmoid(self.late_z - 1))
            & (self.past_suspended_at > self.established_at + 30 * DAY)
        )
        self.past_for_debt = self.late_z > 0.5

        # Products end with the relationship; a few further ones were dropped earlier. One that
        # would have started after the end never existed.
        today = now // DAY
        term_day = (self.terminated_at // DAY)[:, None]
        self.sub_exists &= ~(self.terminated[:, None] & (self.sub_start_day > term_day))
        replaced_end = self.sub_start_day + rng.integers(60, 900, (n, 3))
        replaced = (
            (np.arange(3)[None, :] > 0) & (rng.random((n, 3)) < 0.12) & (replaced_end < today)
        )
        end_day = np.where(replaced, replaced_end, np.iinfo(np.int32).max)
        self.sub_end_day = np.where(
            self.terminated[:, None], np.minimum(end_day, term_day), end_day
        )
        self.sub_ended = self.sub_exists & (replaced | self.terminated[:, None])

    def _status(self):
        """The status, when it last changed and why, and the last activity the list shows."""
        now = self.ctx.now
        self.status = np.select(
            [self.terminated, self.suspended, self.disqualified, self.prospect, self.lead],
            [
                Status.TERMINATED,
                Status.SUSPENDED,
                Status.DISQUALIFIED,
                Status.PROSPECT,
                Status.LEAD,
            ],
            Status.ACTIVE,
        ).astype(object)
        self.status_changed_at = np.select(
            [self.terminated, self.suspended, self.past_suspension, self.established,
             self.disqualified, self.prospect],
            [self.terminated_at, self.suspended_at, self.past_resumed_at, self.established_at,
             self.disqualified_at, self.qualified_at],
            self.created,
        )  # fmt: skip
        resumed = np.where(self.past_for_debt, "balance_settled", "customer_request")
        self.status_reason = np.select(
            [self.terminated, self.suspended, self.past_suspension, self.established,
             self.disqualified, self.prospect],
            [self.termination_reason, self.suspension_reason, resumed, self.establish_reason,
             self.disqualify_reason, self.qualify_reason],
            "",
        ).astype(object)  # fmt: skip
        last = np.maximum(self.status_changed_at, self.consent_last)
        np.maximum.at(last, self.ix_owner, self.ix_at)
        self.last_activity = np.minimum(last, now - 60)
        # A lead idle for the threshold has been flagged by the nightly job since.
        self.stale_since = self.last_activity + self.ctx.stale_lead_days * DAY + 2 * 3600
        self.stale = self.lead & (self.stale_since < now)

    def _customer_rows(self):
        text = self.ctx.text
        valid_from = np.where(self.established, self.established_at, self.created)
        self.out[Customer] = {
            "id": self.customer_text,
            "number": self.numbers,
            "party_id": int_texts(self.ids.party),
            "status": self.status,
            "status_reason": self.status_reason,
            "status_changed_at": text.stamps(self.status_changed_at),
            "segment": self.segment,
            "payment_method": self.payment_method.astype(object),
            "account_manager_id": nullable(
                int_texts(self.account_manager), self.account_manager > 0
            ),
            "partner_id": nullable(int_texts(self.partner), self.partner > 0),
            "lead_source": self.lead_source,
            "currency": constant(settings.CRM_CURRENCY, self.n),
            "valid_from": text.stamps(valid_from),
            "valid_to": nullable(text.stamps(self.terminated_at), self.terminated),
            "last_activity_at": text.stamps(self.last_activity),
            "stale_since": nullable(
                text.stamps(np.minimum(self.stale_since, self.ctx.now)), self.stale
            ),
            "created_at": text.stamps(self.created),
            "updated_at": text.stamps(self.status_changed_at),
        }

    def _lifecycle_rows(self):
        ctx, n, text = self.ctx, self.n, self.ctx.text
        everyone = np.arange(n)
        debt = np.where(self.past_for_debt, "non_payment", "customer_request").astype(object)
        settled = np.where(self.past_for_debt, "balance_settled", "customer_request").astype(object)
        # (customers, action, from, to, reason per customer, time per customer)
        events = [(everyone, "create", "", Status.LEAD, blanks(n), self.created)]
        events.append((np.flatnonzero(self.qualified), "qualify", Status.LEAD, Status.PROSPECT,
                       self.qualify_reason, self.qualified_at))  # fmt: skip
        for mask, action, target, reason, when in (
            (self.established, "establish", Status.ACTIVE, self.establish_reason,
             self.established_at),
            (self.disqualified, "disqualify", Status.DISQUALIFIED, self.disqualify_reason,
             self.disqualified_at),
        ):  # fmt: skip
            for was_qualified, source in ((True, Status.PROSPECT), (False, Status.LEAD)):
                rows = np.flatnonzero(mask & (self.qualified == was_qualified))
                events.append((rows, action, source, target, reason, when))
        past = np.flatnonzero(self.past_suspension)
        events += [
            (past, "suspend", Status.ACTIVE, Status.SUSPENDED, debt, self.past_suspended_at),
            (past, "resume", Status.SUSPENDED, Status.ACTIVE, settled, self.past_resumed_at),
            (np.flatnonzero(self.dunning_suspended), "suspend", Status.ACTIVE, Status.SUSPENDED,
             constant("non_payment", n), self.dunning_suspended_at),
            (np.flatnonzero(self.suspended), "suspend", Status.ACTIVE, Status.SUSPENDED,
             self.suspension_reason, self.suspended_at),
        ]  # fmt: skip
        for after_dunning, source in ((True, Status.SUSPENDED), (False, Status.ACTIVE)):
            rows = np.flatnonzero(self.terminated & (self.dunning_suspended == after_dunning))
            events.append((rows, "terminate", source, Status.TERMINATED, self.termination_reason,
                           self.terminated_at))  # fmt: skip

        owner = np.concatenate([e[0] for e in events])
        at = np.concatenate([e[5][e[0]] for e in events])
        action = np.concatenate([constant(e[1], e[0].size) for e in events])
        source = np.concatenate([constant(e[2], e[0].size) for e in events])
        target = np.concatenate([constant(e[3], e[0].size) for e in events])
        reason = np.concatenate([e[4][e[0]] for e in events])
        order = np.lexsort((owner, at))
        owner, at, action, source, target, reason = (
            column[order] for column in (owner, at, action, source, target, reason)
        )
        stamps = text.stamps(at)
        self.out[LifecycleEvent] = {
            "customer_id": self.customer_text[owner],
            "action": action,
            "from_status": source,
            "to_status": target,
            "reason": reason,
            "note": blanks(owner.size),
            "actor_id": nulls(owner.size),
            "occurred_at": stamps,
        }

        # The action log mirrors each event with the data the lifecycle services record.
        created = np.flatnonzero(action == "create")
        log_action = object_array("customer." + a for a in action)
        log_action[created] = "customer.created"
        data = transition_data(source, target, reason)
        data[created] = [
            json.dumps(
                {
                    "number": self.numbers[i],
                    "name": self.display_name[i],
                    "segment": self.segment[i],
                },
                ensure_ascii=False,
            )
            for i in owner[created].tolist()
        ]
        stale = np.flatnonzero(self.stale)
        idle_days = ((self.stale_since[stale] - self.last_activity[stale]) // DAY).tolist()
        stale_data = object_array(
            json.dumps({"idle_days": d, "threshold_days": ctx.stale_lead_days}) for d in idle_days
        )
        log_owner = np.concatenate([owner, stale])
        log_at = np.concatenate([at, self.stale_since[stale]])
        order = np.lexsort((log_owner, log_at))
        self.out[ActionLog] = {
            "customer_id": self.customer_text[log_owner[order]],
            "action": np.concatenate([log_action, constant("customer.flagged_stale", stale.size)])[
                order
            ],
            "actor_id": nulls(log_owner.size),
            "actor_label": constant(ACTOR_LABEL, log_owner.size),
            "data": np.concatenate([data, stale_data])[order],
            "created_at": text.stamps(log_at[order]),
        }
