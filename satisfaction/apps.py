from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "satisfaction"
    verbose_name = "Customer satisfaction"

    def ready(self):
        from django.urls import reverse_lazy

        from crm.public_errors import public_area_register, public_error_renderer_register
        from customers.events import customer_event
        from customers.panels import panel_register
        from work.signals import task_assigned

        from .receivers import survey_after_event
        from .selectors import customer_follow_ups, customer_surveys
        from .services import follow_up_task_assigned
        from .views.errors import invitation_language, public_error_page

        panel_register(
            template="satisfaction/_customer_surveys.html",
            permissions=("satisfaction.view_response", "satisfaction.view_invitation"),
            context=customer_surveys,
            order=60,
        )
        panel_register(
            template="satisfaction/_customer_follow_ups.html",
            permissions=("satisfaction.view_followup",),
            context=customer_follow_ups,
            order=61,
        )
        customer_event.connect(survey_after_event, dispatch_uid="satisfaction.survey_after_event")
        task_assigned.connect(
            follow_up_task_assigned, dispatch_uid="satisfaction.follow_up_task_assigned"
        )
        # The survey links' own error pages, drawn for every public page.
        public_area_register(
            name="surveys",
            prefix=reverse_lazy("survey:link_invalid", kwargs={"token": ""}),
            language_of=invitation_language,
        )
        public_error_renderer_register(public_error_page)
