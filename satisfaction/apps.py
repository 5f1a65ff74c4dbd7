from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "satisfaction"
    verbose_name = "Customer satisfaction"

    def ready(self):
        from customers.events import customer_event
        from customers.panels import panel_register

        from .receivers import survey_after_event
        from .selectors import customer_surveys

        panel_register(
            template="satisfaction/_customer_surveys.html", context=customer_surveys, order=60
        )
        customer_event.connect(survey_after_event, dispatch_uid="satisfaction.survey_after_event")
