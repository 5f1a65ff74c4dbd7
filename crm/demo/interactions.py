"""How the customers of a block deal with the company: interactions on every channel, consents
and communication preferences."""

import numpy as np

from customers.models import CommunicationPreferences, Consent, Interaction

from .arrays import (
    blanks,
    bool_texts,
    draw,
    int_texts,
    nullable,
    nulls,
    object_array,
    pick,
    uniform_between,
)
from .catalogue import (
    CHANNEL_MIX,
    CHANNELS,
    EVERYDAY_KINDS,
    EVERYDAY_WEIGHTS,
    INTERACTION_KINDS,
    OUTBOUND_SHARE,
    SUMMARIES,
)
from .context import DAY, Segment
from .countries import COUNTRIES
from .lifecycle import PRE_CHURN_DAYS


class InteractionRows:
    """Contacts with the company, consents and preferences, and their rows."""

    def _interactions(self):
        ctx, rng, n, now = self.ctx, self.rng, self.n, self.ctx.now
        window_start = ctx.month_starts[0] * DAY
        end = np.select(
            [self.terminated, self.disqualified],
            [self.terminated_at, self.disqualified_at],
            now - 60,
        )
        begin = np.maximum(
            np.where(self.established, self.established_at, self.created), window_start
        )
        months = np.maximum(end - begin, 0) / (30.4 * DAY)
        base_rate = np.select(
            [self.segment == Segment.ENTERPRISE, self.segment == Segment.WHOLESALE,
             self.segment == Segment.SMALL_BUSINESS],
            [0.6, 0.4, 0.25],
            0.13,
        ) * rng.lognormal(0, 0.5, n)  # fmt: skip
        holding = self.established
        everyday = np.where(holding, rng.poisson(base_rate * months), 0)
        complaints = np.where(holding, rng.poisson(self.complaint_rate * months), 0)
        billing = np.where(holding, rng.poisson((0.02 + 0.25 * self.late_p) * months), 0)
        prospecting = np.where(holding, 0, rng.integers(1, 4, n))
        retention = (self.terminated & (rng.random(n) < 0.4)).astype(np.int64)
        # Dissatisfaction builds up before a customer leaves of their own accord.
        unhappy_since = np.maximum(self.terminated_at - PRE_CHURN_DAYS * DAY, begin)
        unhappy_months = np.maximum(self.terminated_at - unhappy_since, 0) / (30.4 * DAY)
        leaving = self.terminated & np.isin(
            self.termination_reason, ("voluntary_churn", "competitor")
        )
        unhappy = np.where(leaving, rng.poisson(2 * self.complaint_rate * unhappy_months), 0)

        kind_of = {kind: i for i, kind in enumerate(INTERACTION_KINDS)}
        everyday_kinds = np.array([kind_of[k] for k in EVERYDAY_KINDS])
        prospect_kinds = np.array(
            [kind_of[Interaction.Kind.SALES], kind_of[Interaction.Kind.INQUIRY]]
        )
        groups = (
            (everyday, lambda k: everyday_kinds[pick(rng, everyday_kinds, k, EVERYDAY_WEIGHTS)],
             begin, end),
            (complaints, lambda k: np.full(k, kind_of[Interaction.Kind.COMPLAINT]), begin, end),
            (billing, lambda k: np.full(k, kind_of[Interaction.Kind.BILLING]), begin, end),
            (prospecting, lambda k: prospect_kinds[rng.integers(0, 2, k)], self.created,
             np.maximum(end, self.created + 60)),
            (retention, lambda k: np.full(k, kind_of[Interaction.Kind.RETENTION]),
             np.maximum(self.terminated_at - 30 * DAY, begin), self.terminated_at),
            (unhappy, lambda k: np.full(k, kind_of[Interaction.Kind.COMPLAINT]), unhappy_since,
             self.terminated_at),
        )  # fmt: skip
        owners, kinds, times = [], [], []
        for counts, kinds_for, start, stop in groups:
            rows = np.repeat(np.arange(n), counts)
            owners.append(rows)
            kinds.append(kinds_for(rows.size))
            times.append(uniform_between(rng, start[rows], stop[rows]))
        self.ix_owner = np.concatenate(owners)
        self.ix_kind = np.concatenate(kinds).astype(np.int64)
        at = np.concatenate(times)
        # People call in the daytime.
        daytime = (7.5 * 3600 + rng.beta(2.2, 2.4, at.size) * 13.5 * 3600).astype(np.int64)
        self.ix_at = np.minimum((at // DAY) * DAY + daytime, now - 60)

    def _consents(self):
        rng, n, text, now = self.rng, self.n, self.ctx.text, self.ctx.now
        C, P = Consent.Channel, Consent.Purpose
        # (channel, purpose, share of customers who answered, share of answers that grant)
        grid = (
            (C.EMAIL, P.SERVICE, 1.0, 0.98),
            (C.EMAIL, P.MARKETING, 0.75, 0.5),
            (C.SMS, P.MARKETING, 0.45, 0.35),
            (C.PHONE, P.MARKETING, 0.15, 0.2),
            (C.EMAIL, P.SURVEYS, 0.35, 0.6),
            (C.POST, P.MARKETING, 0.05, 0.3),
            (C.EMAIL, P.PROFILING, 0.2, 0.45),
            (C.EMAIL, P.THIRD_PARTY, 0.1, 0.15),
            (C.PUSH, P.SERVICE, 0.1, 0.9),
        )
        answered = np.stack([rng.random(n) < share for _, _, share, _ in grid], axis=1)
        granted = np.stack([rng.random(n) < p for _, _, _, p in grid], axis=1)
        owner, which = np.nonzero(answered)
        sources = object_array(Consent.Source.values)  # web, store, call centre, paper, api, import
        source = sources[pick(rng, sources, owner.size, (35, 20, 25, 5, 3, 12))]
        source[self.partner[owner] > 0] = Consent.Source.API
        changed_later = rng.random(owner.size) < 0.2
        recorded = np.where(
            changed_later,
            uniform_between(rng, self.created[owner], np.full(owner.size, now - 60)),
            self.created[owner] + rng.integers(0, 600, owner.size),
        )
        recorded = np.minimum(recorded, now - 60)
        self.consent_last = self.created.copy()
        np.maximum.at(self.consent_last, owner, recorded)
        self.out[Consent] = {
            "customer_id": self.customer_text[owner],
            "channel": object_array([g[0] for g in grid])[which],
            "purpose": object_array([g[1] for g in grid])[which],
            "granted": bool_texts(granted[owner, which]),
            "source": source,
            "recorded_at": text.stamps(recorded),
            "recorded_by_id": nulls(owner.size),
        }

    def _preference_rows(self):
        rng, n, text = self.rng, self.n, self.ctx.text
        C = Consent.Channel
        channels = object_array((C.EMAIL, C.SMS, C.PHONE, C.POST, C.PUSH))
        windows = (("09:00:00", "17:00:00"), ("08:00:00", "12:00:00"),
                   ("17:00:00", "20:00:00"), ("10:00:00", "16:00:00"))  # fmt: skip
        window = rng.integers(0, len(windows), n).tolist()
        has_window = rng.random(n) < 0.3
        Format = CommunicationPreferences.StatementFormat
        formats = object_array(Format.values)  # e-mail, portal, paper
        statement = formats[pick(rng, formats, n, (60, 30, 10))]
        statement[(self.age > 72) & ~self.is_org & (rng.random(n) < 0.5)] = Format.PAPER
        self.out[CommunicationPreferences] = {
            "customer_id": self.customer_text,
            "language": object_array([c.language for c in COUNTRIES])[self.country],
            "preferred_channel": channels[pick(rng, channels, n, (55, 20, 15, 5, 5))],
            "contact_time_from": nullable(object_array(windows[w][0] for w in window), has_window),
            "contact_time_to": nullable(object_array(windows[w][1] for w in window), has_window),
            "contact_on_weekends": bool_texts(rng.random(n) < 0.2),
            "statement_format": statement,
            "statement_frequency": np.where(
                ~self.business & (rng.random(n) < 0.1), "quarterly", "monthly"
            ).astype(object),
            "itemised_statement": bool_texts(rng.random(n) < np.where(self.business, 0.7, 0.15)),
            "updated_at": text.stamps(self.consent_last),
        }

    def _interaction_rows(self):
        ctx, rng, text, now = self.ctx, self.rng, self.ctx.text, self.ctx.now
        order = np.lexsort((self.ix_owner, self.ix_at))  # in time order, as they were recorded
        owner, kind_index, at = self.ix_owner[order], self.ix_kind[order], self.ix_at[order]
        k = owner.size
        kinds = object_array(INTERACTION_KINDS)[kind_index]
        channel = np.zeros(k, dtype=np.int64)
        outbound = np.zeros(k, dtype=bool)
        summary = blanks(k)
        for i, kind in enumerate(INTERACTION_KINDS):
            rows = np.flatnonzero(kind_index == i)
            channel[rows] = pick(rng, CHANNELS, rows.size, CHANNEL_MIX[kind])
            outbound[rows] = rng.random(rows.size) < OUTBOUND_SHARE.get(kind, 0.05)
            summary[rows] = draw(rng, SUMMARIES[kind], rows.size)

        Outcome = Interaction.Outcome
        outcome = np.where(rng.random(k) < 0.85, Outcome.RESOLVED, Outcome.NO_ACTION).astype(object)
        r = rng.random(k)
        complaint = kinds == Interaction.Kind.COMPLAINT
        outcome[complaint & (r < 0.15)] = Outcome.ESCALATED
        outcome[complaint & (r >= 0.15) & (r < 0.3)] = Outcome.FOLLOW_UP
        recent = at > now - 10 * DAY
        r = rng.random(k)
        outcome[recent & (r < 0.3)] = Outcome.OPEN
        outcome[recent & (r >= 0.3) & (r < 0.45)] = Outcome.FOLLOW_UP
        closed = (outcome == Outcome.RESOLVED) | (outcome == Outcome.NO_ACTION)
        live_channel = np.isin(channel, [CHANNELS.index(c) for c in ("phone", "store", "chat")])
        handling = np.where(
            live_channel, rng.integers(180, 2400, k), rng.integers(3600, 3 * DAY, k)
        )
        staffed_channel = np.isin(
            channel, [CHANNELS.index(c) for c in ("phone", "email", "store", "chat", "field")]
        )
        staff_pool = np.concatenate([ctx.agent_ids, ctx.agent_ids, ctx.manager_ids])
        staff = draw(rng, staff_pool.tolist(), k).astype(np.int64)
        staffed = staffed_channel & (rng.random(k) < 0.8)
        self.out[Interaction] = {
            "customer_id": self.customer_text[owner],
            "channel": object_array(CHANNELS)[channel],
            "direction": np.where(outbound, "outbound", "inbound").astype(object),
            "kind": kinds,
            "occurred_at": text.stamps(at),
            "summary": summary,
            "outcome": outcome,
            "closed_at": nullable(text.stamps(np.minimum(at + handling, now - 1)), closed),
            "staff_id": nullable(int_texts(staff), staffed),
            # Whoever took the contact owns it until it is resolved, and closed it if it was.
            "owner_id": nullable(int_texts(staff), staffed),
            "closed_by_id": nullable(int_texts(staff), staffed & closed),
            "created_at": text.stamps(np.minimum(at + rng.integers(0, 900, k), now - 1)),
        }
