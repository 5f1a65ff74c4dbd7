from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "customers.history"
    label = "history"
    verbose_name = "Field history"

    def ready(self):
        from customers.panels import panel_register
        from customers.services.audit import actions_logged

        from .selectors import history_for_panel
        from .services import changes_attribute

        # The actor is known to the service that logs the change, after it wrote the rows.
        actions_logged.connect(changes_attribute, dispatch_uid="history.changes_attribute")
        panel_register(
            template="history/_customer_panel.html",
            permissions=("history.view_field_history",),
            context=history_for_panel,
            order=90,
        )
