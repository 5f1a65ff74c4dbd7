from django.apps import AppConfig


class StatementsConfig(AppConfig):
    name = "statements"
    verbose_name = "Statements"

    def ready(self):
        from customers.panels import panel_register

        from .selectors import customer_statements_panel

        panel_register(
            template="statements/_customer_statements.html",
            permissions=("statements.view_statement",),
            context=customer_statements_panel,
            order=70,
        )
