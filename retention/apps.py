from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention campaigns"

    def ready(self):
        from customers.panels import panel_register

        from .selectors import customer_campaigns_panel

        panel_register(
            template="retention/_customer_campaigns.html",
            permissions=("retention.view_campaign",),
            context=customer_campaigns_panel,
            order=55,
        )
