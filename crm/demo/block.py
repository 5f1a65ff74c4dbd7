"""One block of demo customers, drawn from its own random stream."""

import numpy as np

from customers.services.numbers import format_customer_number

from .arrays import int_texts, object_array
from .billing import BillingRows
from .context import UNIQUE_SPACE, UNIQUE_STRIDE, Context, Ids, Tables
from .interactions import InteractionRows
from .lifecycle import LifecycleRows
from .people import PeopleRows
from .usage import UsageRows


def generate_block(ctx: Context, start: int, ids: Ids) -> Tables:
    """Rows of every table for the customers of one block, starting at run index ``start``."""
    rng = np.random.default_rng([ctx.seed, ctx.first_index + start])
    return Block(ctx, rng, start, ids).tables()


class Block(PeopleRows, LifecycleRows, BillingRows, InteractionRows, UsageRows):
    """One block of customers: latent drivers first, then histories, then table rows.

    Each part (people, lifecycle, billing, interactions, usage) lives in a module of its own;
    the parts share the block's state, each reading what the ones called before it drew."""

    def __init__(self, ctx: Context, rng: np.random.Generator, start: int, ids: Ids):
        self.ctx, self.rng, self.ids = ctx, rng, ids
        self.n = n = len(ids.customer)
        self.index = ctx.first_index + start + np.arange(n)
        self.unique = (self.index * UNIQUE_STRIDE + ctx.seed * 7919) % UNIQUE_SPACE
        self.customer_text = int_texts(ids.customer)
        self.numbers = object_array(format_customer_number(s) for s in ids.serial.tolist())
        self.out: Tables = {}
        self._people()
        self._addresses()
        self._lifecycle()
        self._products()
        self._churn()
        self._interactions()
        self._consents()
        self._status()

    def tables(self) -> Tables:
        self._party_rows()
        self._customer_rows()
        self._contact_rows()
        self._preference_rows()
        self._subscription_rows()
        self._invoice_rows()
        self._interaction_rows()
        self._relationship_rows()
        self._lifecycle_rows()
        # Last: its draws leave every other table's rows as they were before usage existed.
        self._usage_rows()
        return self.out
