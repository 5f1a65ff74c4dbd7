from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "work"
    verbose_name = "Tasks, notes and notifications"

    def ready(self):
        from customers.panels import panel_register

        from .selectors import customer_work

        panel_register(
            template="work/_customer_panel.html",
            permissions=("work.view_task", "work.view_note"),
            context=customer_work,
            order=40,
        )
