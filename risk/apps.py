from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "risk"
    verbose_name = "Value and risk"

    def ready(self):
        from customers.panels import panel_register

        from .selectors import customer_scores

        panel_register(template="risk/_customer_scores.html", context=customer_scores, order=50)
