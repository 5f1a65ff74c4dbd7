"""The background jobs of this app (see ``crm.jobs``): duplicate scans, imports, and large
exports of the import list."""

from django.db.models import Exists, OuterRef, Q

from crm.exports.services import export_source_register
from crm.jobs.kinds import JobKind, register
from customers.identity.exports import IMPORTS_SOURCE
from customers.identity.models import ImportJob
from customers.identity.services import duplicate_scans, imports

export_source_register(IMPORTS_SOURCE)

register(
    JobKind(
        name=duplicate_scans.KIND,
        run_model="identity.DuplicateScan",
        chunk_model="identity.DuplicateScanChunk",
        work=duplicate_scans.duplicate_scan_chunk_work,
        progress_permission="customers.merge_customer",
        in_progress_message="A duplicate scan is already running; wait for it to finish.",
        counters=("pairs_found", "pairs_compared"),
    )
)
register(
    JobKind(
        name=imports.KIND,
        run_model="identity.ImportJob",
        chunk_model="identity.ImportChunk",
        work=imports.import_chunk_work,
        complete=imports.import_complete,
        # A fact (subscription, invoice, usage) may replace one of an earlier row of its file;
        # the chunks of a customer file run side by side and are paired when all are done.
        # A subquery, not a join: a chunk's claim is then one UPDATE of its own row that two
        # workers cannot both win.
        in_order=Q(
            Exists(
                ImportJob.objects.filter(pk=OuterRef("run_id")).exclude(
                    kind=ImportJob.Kind.CUSTOMERS
                )
            )
        ),
        progress_permission="identity.view_importjob",
        in_progress_message="An import is already running; wait for it to finish.",
        counters=(
            "rows_done",
            "rows_total",
            "rows_created",
            "rows_skipped",
            "rows_failed",
            "duplicates_queued",
        ),
    )
)
