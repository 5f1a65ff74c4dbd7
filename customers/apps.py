from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self):
        from customers.roles import roles_sync

        # Runs after the auth app has created the permissions of every app.
        post_migrate.connect(roles_sync, dispatch_uid="customers.roles_sync")
