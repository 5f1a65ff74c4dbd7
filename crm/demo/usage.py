"""What the customers of a block used: a monthly usage summary per voice product and month."""

import numpy as np

from customers.models import Product, UsageSummary

from .arrays import int_texts
from .catalogue import OPTIONS
from .context import DAY
from .lifecycle import PRE_CHURN_DAYS

USAGE_MONTHS = 12
# Products with calls to summarise: the lines of mobile, fixed voice and bundles. Wholesale
# access and IoT pools are used by someone else's customers or by machines.
VOICE_FAMILIES = (Product.Family.MOBILE, Product.Family.FIXED_VOICE, Product.Family.BUNDLE)
NOT_VOICE = ("WS-MVNO", "ENT-IOT")
# Minutes per call, by period: calls at night are fewer and longer.
CALL_MINUTES = {"day": 2.6, "evening": 3.1, "night": 3.8}


def _codes_with(option: str) -> list[str]:
    return [code for code, given in OPTIONS.items() if given == option]


class UsageRows:
    """Usage summaries of the last twelve complete months: log-normal minutes (more by day
    than in the evening, least at night), data and SMS on mobile lines, a minority calling
    abroad or roaming (most of those holding the option for it), and calls to customer service,
    mostly none or one, more often from unhappy customers and in the months before leaving."""

    def _usage_rows(self):
        ctx, rng, n, text = self.ctx, self.rng, self.n, self.ctx.text
        starts = ctx.month_starts[-USAGE_MONTHS - 1 : -1]  # the month in progress is not over
        ends = ctx.month_ends[-USAGE_MONTHS - 1 : -1]
        products = self.sub_product
        voice = np.isin(self.sub_family, VOICE_FAMILIES) & ~np.isin(products, NOT_VOICE)
        # One summary per customer, product and month: a product held twice reports once.
        repeated = np.zeros_like(voice)
        repeated[:, 1] = products[:, 1] == products[:, 0]
        repeated[:, 2] = (products[:, 2] == products[:, 0]) | (products[:, 2] == products[:, 1])
        reports = self.sub_exists & voice & ~repeated
        first = np.maximum(self.sub_start_day[:, :, None], starts[None, None, :])
        last = np.minimum(self.sub_end_day[:, :, None], ends[None, None, :])
        days = np.clip(last - first + 1, 0, None)
        owner, slot, month = np.nonzero(reports[:, :, None] & (days > 0))
        k = owner.size
        share = days[owner, slot, month] / (ends - starts + 1)[month]

        def holds(option: str) -> np.ndarray:
            return (np.isin(products, _codes_with(option)) & self.sub_exists).any(axis=1)[owner]

        # Each customer's habits, then each month's variation around them.
        talk = np.exp(rng.normal(0.0, 0.65, n))[owner]
        lines = np.where(self.business, rng.integers(2, 9, n), 1)[owner]
        pre_churn = self.terminated[owner] & (
            (starts[month] + 31) * DAY > self.terminated_at[owner] - PRE_CHURN_DAYS * DAY
        )
        fading = np.where(pre_churn, rng.uniform(0.35, 0.85, k), 1.0)
        volume = talk * lines * share * fading * np.exp(rng.normal(0.0, 0.25, k))
        fixed = self.sub_family[owner, slot] == Product.Family.FIXED_VOICE

        day = np.exp(rng.normal(np.log(170), 0.45, k)) * volume
        evening = day * rng.uniform(0.4, 0.75, k)
        night = day * rng.uniform(0.08, 0.3, k)
        minutes = {"day": day, "evening": evening, "night": night}
        calls = {
            period: rng.poisson(spent / CALL_MINUTES[period]) for period, spent in minutes.items()
        }

        international = holds(Product.Option.INTERNATIONAL_CALLING)
        abroad = international | (rng.random(n) < 0.08)[owner]
        intl_minutes = np.where(
            abroad, np.exp(rng.normal(np.log(np.where(international, 70, 12)), 0.7)), 0.0
        ) * (share * fading)
        intl_calls = rng.poisson(intl_minutes / 4.5)

        roams = holds(Product.Option.ROAMING_PACK)
        travelled = rng.random(k) < np.where(roams, 0.35, 0.04)
        roaming_minutes = np.where(travelled, np.exp(rng.normal(np.log(35), 0.8, k)), 0.0)
        roaming_mb = np.where(travelled & ~fixed, np.exp(rng.normal(np.log(700), 0.9, k)), 0.0) * (
            1 + roams
        )

        data_habit = np.exp(rng.normal(np.log(9000), 0.8, n))[owner]
        data_mb = np.where(fixed, 0.0, data_habit * share * fading * np.exp(rng.normal(0, 0.3, k)))
        sms = np.where(fixed, 0, rng.poisson(np.exp(rng.normal(np.log(35), 0.9, n))[owner] * share))
        voicemail = rng.poisson((1.5 + 6 * holds(Product.Option.VOICEMAIL)) * np.sqrt(talk) * share)

        # Calls to customer service: mostly none or one; complaints, late payment and the
        # months before leaving bring more, with a long tail.
        unhappy = np.log(self.complaint_rate / 0.025) / 0.9 + 0.4 * self.late_z
        rate = 0.18 * np.exp(0.45 * np.clip(unhappy, -3, 4))[owner]
        rate *= np.where(pre_churn, 3.5, 1.0) * (1 + 2 * self.churn_p[owner] * ~pre_churn)
        service_calls = rng.poisson(rate * np.exp(rng.normal(0, 0.6, k)))

        def cents(values: np.ndarray) -> np.ndarray:
            return text.money(np.round(values * 100).astype(np.int64))

        month_end_day = ends[month]
        self.out[UsageSummary] = {
            "customer_id": self.customer_text[owner],
            "product_id": int_texts(
                np.array([ctx.product_ids[c] for c in products[owner, slot]], dtype=np.int64)
            ),
            "month": text.dates(starts[month]),
            "voice_minutes_day": cents(day),
            "voice_calls_day": int_texts(calls["day"]),
            "voice_minutes_evening": cents(evening),
            "voice_calls_evening": int_texts(calls["evening"]),
            "voice_minutes_night": cents(night),
            "voice_calls_night": int_texts(calls["night"]),
            "voice_minutes_international": cents(intl_minutes),
            "voice_calls_international": int_texts(intl_calls),
            "roaming_minutes": cents(roaming_minutes),
            "roaming_data_mb": cents(roaming_mb),
            "data_mb": cents(data_mb),
            "sms_count": int_texts(sms),
            "voicemail_messages": int_texts(voicemail),
            "service_calls": int_texts(service_calls),
            # Mediation reports a month a few days after it ends.
            "recorded_at": text.stamps(np.minimum((month_end_day + 3) * DAY + 7200, ctx.now - 60)),
        }
