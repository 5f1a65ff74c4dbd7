"""The registry of job kinds. Each app declares its kinds in its own ``jobs`` module."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.db import models
from django.utils.module_loading import autodiscover_modules

from .queues import job_queue


@dataclass(frozen=True)
class JobKind:
    """What the mechanism needs to know of a kind of job.

    ``work(run, chunk)`` does one chunk's work inside the transaction that marks it done and
    returns counts to add to the run (and to the chunk's fields of the same names).
    ``complete(run)`` runs when the last chunk ends, inside the transaction that finishes the
    run, and may set fields on it. ``prepare(run)`` runs in a worker before the chunks are
    queued (something slow that every chunk needs). A kind whose chunks run ``in_order``
    claims a chunk only once every chunk before it has ended; ``in_order`` may instead be a
    condition on the chunks (a ``Q``), for a kind where only some runs depend on their order.
    It is part of a chunk's claim, one UPDATE two workers must not both win: it reads other
    tables through a subquery (``Exists``), never a join.

    A kind whose runs belong to a staff member (an export, a bulk action) names the run's
    ``owner_field``: then each owner may have one run in progress (not one for the whole
    system), and only the owner follows its progress.

    ``queue`` is the Celery queue of its dispatch and chunks; unset, the one ``job_queue``
    gives its name (crm/jobs/queues.py).
    """

    name: str
    run_model: str  # "app_label.ModelName"
    chunk_model: str
    work: Callable[[models.Model, models.Model], dict[str, int]]
    progress_permission: str
    in_progress_message: str
    counters: tuple[str, ...] = ()
    complete: Callable[[models.Model], None] | None = None
    prepare: Callable[[models.Model], None] | None = None
    in_order: bool | models.Q = False
    owner_field: str = ""
    queue: str = ""

    def __post_init__(self):
        if not self.queue:
            object.__setattr__(self, "queue", job_queue(self.name))

    @property
    def runs(self) -> type[models.Model]:
        return apps.get_model(self.run_model)

    @property
    def chunks(self) -> type[models.Model]:
        return apps.get_model(self.chunk_model)


_kinds: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    _kinds[kind.name] = kind
    return kind


@cache
def _discovered() -> None:
    autodiscover_modules("jobs")


def job_kind(name: str) -> JobKind:
    _discovered()
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No job kind {name!r}; known: {', '.join(sorted(_kinds))}.") from None


def job_kinds() -> list[JobKind]:
    _discovered()
    return list(_kinds.values())
