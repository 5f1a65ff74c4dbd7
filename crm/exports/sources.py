"""What a list tells the export mechanism: how its filters select rows, which columns it writes,
who may export it and how an export is recorded."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from crm.jobs.kinds import job_kinds


@dataclass(frozen=True)
class ExportColumn:
    """A column: its header and how to read its value from a row (a dict of ``fields``)."""

    header: str
    value: Callable[[dict], Any]


@dataclass(frozen=True)
class ExportQuery:
    """The rows to write: ``queryset`` (what the filters select, counted as it is) read as
    dicts of ``fields`` in the keyset ``order``; ``complete(rows)`` adds to a page of rows
    what a join cannot give (one query per page, never one per row). Rows are read as values,
    not models: building a model per row would cost more than the rest of the export."""

    queryset: QuerySet
    order: Sequence[str]
    fields: Sequence[str]
    columns: Sequence[ExportColumn]
    complete: Callable[[list[dict]], None] = field(default=lambda rows: None)


@dataclass(frozen=True)
class ExportSource:
    """``query(params, user)`` reads the list's filters from a query string as the list page
    does (raising ValidationError for a bad one) and returns an ExportQuery with the columns
    ``user`` may read. ``record(user, data)`` writes the list's audit entry of an export."""

    name: str
    title: str
    permission: str
    list_url_name: str
    query: Callable[[QueryDict, Any], ExportQuery]
    record: Callable[[Any, dict], None]

    @property
    def kind_name(self) -> str:
        return f"export-{self.name}"


# Filled by services.export_source_register, from the apps' jobs modules.
SOURCES: dict[str, ExportSource] = {}


def export_source(name: str) -> ExportSource:
    job_kinds()  # the apps' jobs modules register their sources
    try:
        return SOURCES[name]
    except KeyError:
        raise LookupError(f"No export of {name!r}.") from None
