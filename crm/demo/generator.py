"""Turns batches of blocks into rows per table, in a forked child process where possible."""

import json
import multiprocessing
import queue
import traceback

import numpy as np

from crm.bulk import copy_text
from customers.models import (
    ActionLog,
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    CustomerRelationship,
    Interaction,
    Invoice,
    LifecycleEvent,
    Party,
    Subscription,
    UsageSummary,
)

from .block import generate_block
from .context import BLOCK, Context, Ids, Tables

# Parents before children, in the order COPY must see them.
TABLE_ORDER = (
    Party,
    Customer,
    ContactMedium,
    Consent,
    CommunicationPreferences,
    Subscription,
    Invoice,
    UsageSummary,
    Interaction,
    CustomerRelationship,
    LifecycleEvent,
    ActionLog,
)


def _default_text(field) -> str | None:
    value = field.get_default()
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def complete_columns(model, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The generated columns, checked against the model; defaults fill what was added since."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise RuntimeError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    size = len(next(iter(columns.values())))
    complete = dict(columns)
    for column, field in fields.items():
        if column in columns or field.primary_key:
            continue
        if field.has_default():
            complete[column] = np.full(size, _default_text(field), dtype=object)
        elif not field.null:
            raise RuntimeError(
                f"The demo data has no value for the new column {model.__name__}.{field.name}"
            )
    return complete


def batch_bounds(customers: int, batch_size: int):
    """(first run index, size) of each batch: whole blocks, so the data ignores the batch size."""
    batch = max(1, -(-batch_size // BLOCK)) * BLOCK
    for start in range(0, customers, batch):
        yield start, min(batch, customers - start)


def batch_tables(ctx: Context, start: int, ids: Ids):
    """The blocks of one batch, one at a time."""
    for offset in range(0, len(ids.customer), BLOCK):
        yield generate_block(ctx, start + offset, ids[offset : offset + BLOCK])


def row_counts_add(tables: Tables, counts: dict[str, int]) -> None:
    for model, columns in tables.items():
        label = str(model._meta.verbose_name_plural)
        counts[label] = counts.get(label, 0) + len(next(iter(columns.values())))


def copy_payload(ctx: Context, start: int, ids: Ids):
    """One batch as COPY data: {model: (columns, UTF-8 text)} and the rows per table."""
    names: dict[type, list[str]] = {}
    texts: dict[type, list[str]] = {}
    counts: dict[str, int] = {}
    for tables in batch_tables(ctx, start, ids):
        row_counts_add(tables, counts)
        for model in TABLE_ORDER:
            columns = complete_columns(model, tables[model])
            if names.setdefault(model, list(columns)) != list(columns):
                raise RuntimeError(f"Blocks disagree on the columns of {model.__name__}.")
            texts.setdefault(model, []).append(copy_text(list(columns.values())))
    payload = {model: (names[model], "".join(texts[model]).encode()) for model in names}
    return payload, counts


def _generator_process(ctx: Context, jobs, results) -> None:
    """Child process: turns each job (first run index, ids) into COPY data."""
    try:
        while (job := jobs.get()) is not None:
            results.put(("rows", *copy_payload(ctx, *job)))
    except BaseException:
        results.put(("error", traceback.format_exc(), None))


class BatchGenerator:
    """Generates batches one ahead of the writer, in a forked child process where possible.

    In another process Python has a core to itself while the database server uses the other; in
    a thread the two would queue for the interpreter lock instead. The child inherits the set-up
    Django process but never touches the database, and multiprocessing ends it with os._exit, so
    the inherited connection is left alone.
    """

    def __init__(self, ctx: Context, batches: list[tuple[int, int]], reserve):
        self.ctx, self.batches, self.reserve = ctx, batches, reserve
        self.counts: dict[str, int] = {}
        self.process = None
        # One batch leaves nothing to overlap: the writer would only wait on the child. Such
        # seeds (every demo and test base) then never fork, and a process holding broker
        # connections (a test run's) never has a child close them on its way up.
        if len(batches) > 1 and "fork" in multiprocessing.get_all_start_methods():
            fork = multiprocessing.get_context("fork")
            self.jobs, self.results = fork.Queue(), fork.Queue(maxsize=1)
            self.process = fork.Process(
                target=_generator_process,
                args=(ctx, self.jobs, self.results),
                name="seed-demo-generator",
                daemon=True,
            )
            self.process.start()

    def __iter__(self):
        """The COPY data of each batch, in order."""
        if self.process is None:
            for start, size in self.batches:
                payload, counts = copy_payload(self.ctx, start, self.reserve(size))
                self._add(counts)
                yield payload
            return
        self._submit(0)
        for index in range(len(self.batches)):
            self._submit(index + 1)
            yield self._receive()
        self.jobs.put(None)
        self.process.join(timeout=30)

    def close(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
            self.jobs.close()
            self.results.close()

    def _submit(self, index: int) -> None:
        if index < len(self.batches):
            start, size = self.batches[index]
            self.jobs.put((start, self.reserve(size)))

    def _receive(self):
        while True:
            try:
                kind, payload, counts = self.results.get(timeout=1)
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError("The demo data generator stopped unexpectedly.") from None
                continue
            if kind == "error":
                raise RuntimeError(f"Generating the demo data failed:\n{payload}")
            self._add(counts)
            return payload

    def _add(self, counts: dict[str, int]) -> None:
        for label, count in counts.items():
            self.counts[label] = self.counts.get(label, 0) + count
