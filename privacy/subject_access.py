"""Subject access: everything held about one customer, written in the background as a JSON
file (for machines) and an HTML document (for the person), downloaded by staff with each
download in the access log and the customer's audit trail.

The files are written section by section while the rows stream from the database, so a
customer with a long history costs one query per table and little memory.
"""

import contextlib
import json
import logging
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import batched
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from crm.handoff import task_send_after_commit
from customers.models import Customer
from customers.services.audit import action_log_record, customer_lock_for_edit

from .access import access_record
from .models import AccessLogEntry, SubjectAccessExport
from .subject_access_apps import APP_SECTIONS, FIELD_HISTORY_SECTIONS
from .subject_access_sections import CUSTOMER_SECTIONS, Section

logger = logging.getLogger(__name__)

EXPORT_DIR = "subject-access"
FILE_KINDS = ("json", "html")
# An export still queued after this long was lost (its worker died for good): a new request
# marks it failed and starts another instead of waiting on it for ever.
LOST_AFTER = timedelta(hours=1)
# Records rendered into the HTML document at a time.
HTML_BATCH = 500
PANEL_EXPORTS = 10

Status = SubjectAccessExport.Status
SECTIONS = (*CUSTOMER_SECTIONS, *FIELD_HISTORY_SECTIONS, *APP_SECTIONS)


class SubjectAccessFileGone(Exception):
    """The export has no such file: not written yet, failed, or deleted once it expired."""


# -- Starting and writing ----------------------------------------------------------------------


def subject_access_request(*, customer: Customer, actor) -> SubjectAccessExport:
    """Ask for an export of everything held about ``customer``, written once this commits; an
    export already being written is returned instead of a second one."""
    now = timezone.now()
    with transaction.atomic():
        # Two clicks at once wait for each other here, and the second finds the first.
        customer_lock_for_edit(customer)
        waiting = SubjectAccessExport.objects.filter(customer=customer, status=Status.QUEUED)
        waiting.filter(requested_at__lt=now - LOST_AFTER).update(
            status=Status.FAILED, finished_at=now, error="Not written within an hour."
        )
        export = waiting.first()
        if export is not None:
            return export
        export = SubjectAccessExport.objects.create(
            customer=customer,
            requested_by=actor if getattr(actor, "pk", None) else None,
            requested_at=now,
        )
        action_log_record(
            action="subject_access.requested",
            customer=customer,
            actor=actor,
            data={"export": export.pk},
        )
        task_send_after_commit("privacy.tasks.subject_access_write", export.pk)
    return export


def subject_access_write(*, export_id: int) -> SubjectAccessExport | None:
    """Write the two files of a queued export and mark it done, or failed with the error; None
    when it is no longer queued (another worker finished it)."""
    export = (
        SubjectAccessExport.objects.select_related("customer")
        .filter(pk=export_id, status=Status.QUEUED)
        .first()
    )
    if export is None:
        return None
    token = secrets.token_urlsafe(16)
    names = {kind: f"{EXPORT_DIR}/{export.pk}-{token}.{kind}" for kind in FILE_KINDS}
    paths = {kind: Path(settings.MEDIA_ROOT) / name for kind, name in names.items()}
    try:
        paths["json"].parent.mkdir(parents=True, exist_ok=True)
        with (
            open(paths["json"], "w", encoding="utf-8") as json_out,
            open(paths["html"], "w", encoding="utf-8") as html_out,
        ):
            document_write(export.customer, json_out=json_out, html_out=html_out)
    except (OperationalError, InterfaceError):
        # The database went away: the task is tried again (CrmTask's retries).
        _remove(paths.values())
        raise
    except Exception as error:  # whatever went wrong, the person asking sees it, not a 500
        logger.exception("Subject access export %s failed", export.pk)
        _remove(paths.values())
        SubjectAccessExport.objects.filter(pk=export.pk, status=Status.QUEUED).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:2000],
        )
        export.refresh_from_db()
        return export
    finished = SubjectAccessExport.objects.filter(pk=export.pk, status=Status.QUEUED).update(
        status=Status.DONE,
        finished_at=timezone.now(),
        json_file=names["json"],
        html_file=names["html"],
    )
    if not finished:
        _remove(paths.values())
        return None
    export.refresh_from_db()
    return export


def _remove(paths) -> None:
    for path in paths:
        # Whatever kept the files from being written may keep them from being removed too.
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


def document_write(customer: Customer, *, json_out, html_out) -> None:
    """Both documents, written as each section's rows arrive."""
    exported_at = timezone.now()
    json_out.write(
        "{"
        + _json_pair("customer_number", customer.number)
        + ",\n"
        + _json_pair("exported_at", exported_at.isoformat())
    )
    html_out.write(
        render_to_string(
            "privacy/subject_access/document_head.html",
            {"customer": customer, "exported_at": exported_at, "sections": SECTIONS},
        )
    )
    for section in SECTIONS:
        _section_write(section, customer, json_out=json_out, html_out=html_out)
    json_out.write("\n}\n")
    html_out.write(render_to_string("privacy/subject_access/document_foot.html"))


def _section_write(section: Section, customer: Customer, *, json_out, html_out) -> None:
    json_out.write(",\n" + json.dumps(section.key) + ": ")
    html_out.write(
        render_to_string("privacy/subject_access/section_head.html", {"section": section})
    )
    labels = _choice_labels(section)
    rows = section.rows(customer)
    if section.single:
        record = next(rows, None)
        json_out.write(_json(record))
        batches = [[record]] if record is not None else []
    else:
        batches = batched(rows, HTML_BATCH)
        json_out.write("[")
    count = 0
    for batch in batches:
        if not section.single:
            json_out.write(
                "".join(
                    ("," if count + i else "") + "\n  " + _json(record)
                    for i, record in enumerate(batch)
                )
            )
        count += len(batch)
        html_out.write(
            render_to_string(
                "privacy/subject_access/section_records.html",
                {"records": [_readable(record, labels) for record in batch]},
            )
        )
    if not section.single:
        json_out.write("\n]" if count else "]")
    html_out.write(render_to_string("privacy/subject_access/section_foot.html", {"count": count}))


def _json(value) -> str:
    return json.dumps(value, default=_json_value, ensure_ascii=False)


def _json_pair(key: str, value) -> str:
    return f"\n{json.dumps(key)}: {json.dumps(value, default=_json_value)}"


def _json_value(value):
    """Dates and times in ISO 8601, amounts as exact decimal strings."""
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not exported")


def _choice_labels(section: Section) -> dict[str, dict]:
    labels = {}
    for name in section.columns:
        model_field = section.model_class._meta.get_field(name)
        if model_field.choices:
            labels[name] = {str(value): label for value, label in model_field.flatchoices}
    return labels


def _readable(record: dict, labels: dict[str, dict]) -> list[tuple[str, str]]:
    """A record as the HTML document shows it: (label, text) pairs; the template escapes."""
    return [
        (name.replace("_", " ").capitalize(), _text(value, labels.get(name)))
        for name, value in record.items()
    ]


def _text(value, labels: dict | None) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if labels is not None:
        return labels.get(str(value), str(value))
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=_json_value, ensure_ascii=False, indent=1)
    return str(_json_value(value)) if isinstance(value, (date, time, Decimal, UUID)) else str(value)


# -- Reading and downloading ---------------------------------------------------------------------


def subject_access_exports_of(customer: Customer) -> dict:
    """The customer page's panel: the newest exports of this customer."""
    exports = SubjectAccessExport.objects.filter(customer=customer).select_related("requested_by")
    return {"exports": list(exports[:PANEL_EXPORTS]), "keep_days": settings.CRM_EXPORT_KEEP_DAYS}


def subject_access_get(*, export_id: int) -> SubjectAccessExport:
    """Raises SubjectAccessExport.DoesNotExist."""
    return SubjectAccessExport.objects.select_related("customer__party", "requested_by").get(
        pk=export_id
    )


def subject_access_expires_at(export: SubjectAccessExport) -> datetime | None:
    if export.finished_at is None:
        return None
    return export.finished_at + timedelta(days=settings.CRM_EXPORT_KEEP_DAYS)


def subject_access_download(*, export: SubjectAccessExport, kind: str, actor) -> Path:
    """The path of one of the export's files, the download recorded in the access log and the
    customer's audit trail; raises SubjectAccessFileGone when there is no such file."""
    if kind not in FILE_KINDS:
        raise ValidationError(f"No {kind} file: the files are {' and '.join(FILE_KINDS)}.")
    name = export.json_file if kind == "json" else export.html_file
    path = Path(settings.MEDIA_ROOT) / name if name else None
    if export.status != Status.DONE or path is None or not path.exists():
        raise SubjectAccessFileGone
    with transaction.atomic():
        access_record(
            customer_id=export.customer_id, actor=actor, what=AccessLogEntry.What.SUBJECT_ACCESS
        )
        action_log_record(
            action="subject_access.downloaded",
            customer=export.customer,
            actor=actor,
            data={"export": export.pk, "file": kind},
        )
    return path


def subject_access_filename(export: SubjectAccessExport, kind: str) -> str:
    return f"{export.customer.number}-data-{timezone.localdate(export.finished_at):%Y-%m-%d}.{kind}"


def subject_access_expire(*, now=None) -> int:
    """Delete the files of exports written more than CRM_EXPORT_KEEP_DAYS ago, as list exports'
    are, and forget their names; the number of files deleted."""
    before = (now or timezone.now()) - timedelta(days=settings.CRM_EXPORT_KEEP_DAYS)
    expired = SubjectAccessExport.objects.filter(
        status=Status.DONE, finished_at__lt=before
    ).exclude(json_file="", html_file="")
    deleted = 0
    for json_file, html_file in expired.values_list("json_file", "html_file"):
        for name in (json_file, html_file):
            path = Path(settings.MEDIA_ROOT) / name
            if name and path.exists():
                path.unlink()
                deleted += 1
    expired.update(json_file="", html_file="")
    return deleted
