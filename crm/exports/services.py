"""Start an export, write a large one chunk by chunk, and hand the file to its owner only."""

import math
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from crm.jobs.kinds import JobKind, job_kind, register
from crm.jobs.models import IN_PROGRESS as RUNS_IN_PROGRESS
from crm.jobs.services import job_plan, job_request
from crm.keyset import query_without_cursor

from .models import ExportFormat, ExportJob
from .sources import SOURCES, ExportQuery, ExportSource, export_source
from .writers import (
    XLSX_MAX_ROWS,
    csv_pieces,
    export_pages,
    jsonl_read,
    jsonl_write,
    xlsx_write,
)

# Up to this many rows an export is written while it downloads; beyond, in the background.
STREAM_LIMIT = 10_000
# Rows one chunk of a background export writes (the last chunk writes whatever is left).
CHUNK_ROWS = 20_000
EXPORTS_DIR = "exports"
IN_PROGRESS = "Your last large export is still being written; try again once it has finished."


@dataclass(frozen=True)
class ExportStream:
    """A small export, written while it is sent: ``query`` read from its first row."""

    source: ExportSource
    query: ExportQuery
    format: str
    rows: int

    @property
    def filename(self) -> str:
        return export_filename(self.source, self.format)


def export_filename(source: ExportSource, format: str) -> str:
    return f"{source.name}-{timezone.localdate():%Y-%m-%d}.{format}"


def export_source_register(source: ExportSource) -> ExportSource:
    """Offer exports of a list. Its large exports are a job kind of their own, whose progress
    is shown to whoever may export that list."""
    SOURCES[source.name] = source
    register(
        JobKind(
            name=source.kind_name,
            run_model="exports.ExportJob",
            chunk_model="exports.ExportChunk",
            work=export_chunk_work,
            complete=export_complete,
            in_order=True,
            progress_permission=source.permission,
            in_progress_message=IN_PROGRESS,
            counters=("rows_done", "rows_expected"),
            owner_field="owner",
        )
    )
    return source


def export_start(
    *, source: ExportSource, params: QueryDict, user, format: str
) -> ExportStream | ExportJob:
    """An export of what ``params`` (the list's filters and sort) show to ``user``: a stream
    when it is small, else a background job. Raises ValidationError for a bad format or
    filter, for an XLSX file beyond what a worksheet holds, and while another large export
    is being written."""
    if format not in ExportFormat.values:
        raise ValidationError("Choose CSV or XLSX.")
    query = source.query(params, user)
    filters = query_without_cursor(params)
    rows = query.queryset.order_by()[: STREAM_LIMIT + 1].count()
    if rows <= STREAM_LIMIT:
        source.record(user, {"format": format, "rows": rows, "filters": filters})
        return ExportStream(source=source, query=query, format=format, rows=rows)
    rows = query.queryset.count()
    if format == ExportFormat.XLSX and rows >= XLSX_MAX_ROWS:
        raise ValidationError(
            f"{rows:,} rows are more than an Excel worksheet holds; export CSV, or narrow "
            "the filters."
        )
    kind = job_kind(source.kind_name)
    chunks = math.ceil(rows / CHUNK_ROWS)
    run = job_plan(
        kind,
        ranges=[(number, number) for number in range(chunks)],
        owner=user,
        source=source.name,
        query=filters,
        format=format,
        rows_expected=rows,
    )
    job_request(kind, run)
    return run


def export_part_path(run: ExportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / EXPORTS_DIR / f"{run.pk}.part"


def export_file_path(run: ExportJob) -> Path | None:
    """Where the finished file of ``run`` is, or None before it is written."""
    return Path(settings.MEDIA_ROOT) / run.file_name if run.file_name else None


def export_chunk_work(run: ExportJob, chunk) -> dict[str, int]:
    """Write the chunk's slice of rows after the cursor the chunk before left. The file is
    first cut back to what committed chunks wrote: a chunk tried again writes its rows once."""
    source = export_source(run.source)
    query = source.query(QueryDict(run.query), run.owner)
    is_last = chunk.first_id >= run.chunks_total - 1
    path = export_part_path(run)
    path.parent.mkdir(parents=True, exist_ok=True)
    cursor, written = run.cursor, 0
    with open(path, "a+b") as handle:
        handle.truncate(run.bytes_written)
        if run.bytes_written == 0 and run.format == ExportFormat.CSV:
            handle.writelines(csv_pieces([[column.header for column in query.columns]]))
        for values, page_cursor in export_pages(
            query, after=run.cursor, limit=None if is_last else CHUNK_ROWS
        ):
            cursor = page_cursor
            if run.format == ExportFormat.CSV:
                handle.writelines(csv_pieces(values, bom=False))
            else:
                jsonl_write(handle, values)
            written += len(values)
        handle.flush()
        os.fsync(handle.fileno())
        size = handle.tell()
    ExportJob.objects.filter(pk=run.pk).update(cursor=cursor, bytes_written=size)
    return {"rows_done": written}


def export_complete(run: ExportJob) -> None:
    """Once every chunk has ended: the finished file under a name no one can guess, and the
    list's audit entry. A run with a failed chunk keeps no file."""
    part = export_part_path(run)
    if run.chunks_failed:
        part.unlink(missing_ok=True)
        return
    source = export_source(run.source)
    name = f"{EXPORTS_DIR}/{run.pk}-{secrets.token_urlsafe(16)}.{run.format}"
    final = Path(settings.MEDIA_ROOT) / name
    part.touch()
    if run.format == ExportFormat.CSV:
        os.replace(part, final)
    else:
        header = [column.header for column in source.query(QueryDict(run.query), run.owner).columns]
        with open(part, "rb") as handle:
            xlsx_write(str(final), _with_header(header, handle), sheet=source.title)
        part.unlink()
    run.file_name = name
    source.record(
        run.owner,
        {"format": run.format, "rows": run.rows_done, "filters": run.query, "export": run.pk},
    )


def _with_header(header: list, handle):
    yield header
    yield from jsonl_read(handle)


def export_for_owner(*, export_id: int, user) -> ExportJob:
    """The export ``user`` asked for; anyone else's is DoesNotExist, as if there were none."""
    return ExportJob.objects.get(pk=export_id, owner=user)


def exports_expire(*, now=None) -> int:
    """Delete the files of exports finished more than CRM_EXPORT_KEEP_DAYS ago (and the parts
    a failed one left), and forget their names: the page then says the file is gone. Returns
    how many files were deleted."""
    before = (now or timezone.now()) - timedelta(days=settings.CRM_EXPORT_KEEP_DAYS)
    expired = ExportJob.objects.filter(finished_at__lt=before).exclude(status__in=RUNS_IN_PROGRESS)
    deleted = 0
    for run_id, file_name in expired.exclude(file_name="").values_list("pk", "file_name"):
        path = Path(settings.MEDIA_ROOT) / file_name
        if path.exists():
            path.unlink()
            deleted += 1
        export_part_path(ExportJob(pk=run_id)).unlink(missing_ok=True)
    expired.exclude(file_name="").update(file_name="")
    return deleted
