from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = "Lifecycle messages"

    def ready(self):
        from customers.events import customer_event

        from .receivers import lifecycle_messages_after_event

        customer_event.connect(
            lifecycle_messages_after_event, dispatch_uid="messaging.lifecycle_messages"
        )
