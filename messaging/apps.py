from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Lifecycle messages"

    def ready(self):
        from customers.events import customer_event
        from customers.panels import panel_register

        from .receivers import lifecycle_messages_after_event
        from .selectors import customer_messages

        panel_register(
            template="messaging/_customer_messages.html",
            permissions=("messaging.view_outboundmessage",),
            context=customer_messages,
            order=71,
        )
        customer_event.connect(
            lifecycle_messages_after_event, dispatch_uid="messaging.lifecycle_messages"
        )
