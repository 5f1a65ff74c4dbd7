"""A synthetic, reproducible telecom customer base for demos, risk models and benchmarks.

Customers are generated in blocks of ``BLOCK``; each block draws from its own random stream,
keyed by the seed and the index of its first customer, so the same seed gives the same rows
whatever the batch size (the number of customers written per transaction). Dates are relative
to a reference day (today unless given), so runs on different days differ only by that shift.

Churn and payment behaviour follow latent drivers drawn first (contract type, tenure, monthly
charges, complaint and late-payment propensity); the status and the whole history are then
derived from them, so models trained on the result find real signal.

PostgreSQL gets COPY, with the next batch generated meanwhile in a child process so that Python
and the database server each have a core; a large load also rebuilds the indexes once instead of
updating them row by row (see ``loader.postgres_load``). SQLite gets plain multi-row inserts.

``seed.demo_base_seed`` is the entry point. ``block`` draws one block of customers from its parts
in ``people``, ``lifecycle``, ``billing`` and ``interactions``, with the vocabulary of
``countries``, ``names`` and ``catalogue``; ``generator`` turns batches into COPY text, in a child
process; ``loader`` writes them through ``crm.bulk``. ``surveys`` adds a year of survey answers
to a seeded base.
"""

from .context import DEFAULT_BATCH_SIZE
from .seed import demo_base_seed
from .surveys import demo_surveys_seed

__all__ = ["DEFAULT_BATCH_SIZE", "demo_base_seed", "demo_surveys_seed"]
