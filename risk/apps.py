from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = "Value and risk"

    def ready(self):
        from crm.exports.services import export_source_register
        from customers.bulk import bulk_list_register
        from customers.events import customer_event
        from customers.panels import panel_register

        from .bulk import RETENTION_BULK_LIST
        from .exports import RETENTION_SOURCE
        from .receivers import rescore_after_event
        from .selectors import customer_scores

        panel_register(
            template="risk/_customer_scores.html",
            # The panel shows the latest scores and the history behind their trend.
            permissions=("customers.view_latestscores", "risk.view_customerscore"),
            context=customer_scores,
            order=50,
        )
        customer_event.connect(rescore_after_event, dispatch_uid="risk.rescore_after_event")
        # The retention work list exports as CSV and XLSX and keeps saved views.
        export_source_register(RETENTION_SOURCE)
        # Bulk actions start from its rows as from the customer list's.
        bulk_list_register(RETENTION_BULK_LIST)
