"""The background jobs of the customer core (see ``crm.jobs``): exports of the customer list
and bulk actions on it."""

from crm.exports.services import export_source_register
from crm.exports.sources import ExportSource
from crm.jobs.kinds import JobKind, register
from customers import bulk
from customers.exports import customer_export_query, customer_export_record

export_source_register(
    ExportSource(
        name="customers",
        title="Customers",
        permission="customers.view_customer",
        list_url_name="customers:list",
        query=customer_export_query,
        record=customer_export_record,
    )
)

register(
    JobKind(
        name=bulk.KIND,
        run_model="customers.BulkActionRun",
        chunk_model="customers.BulkActionChunk",
        work=bulk.bulk_chunk_work,
        progress_permission="customers.view_customer",
        in_progress_message="Your last bulk action is still running; try again once it ends.",
        counters=("rows_done", "rows_refused", "rows_expected"),
        owner_field="owner",
    )
)
