from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _once_every_app_has_migrated(receiver):
    """``post_migrate`` is sent once per app, after each migrate and each test database flush.
    The role groups need every app's permissions, which the auth app creates as each app's
    signal goes out: so the groups are synced once, on the last app's signal."""

    def receive(sender, app_config, **kwargs):
        migrated = [config for config in apps.get_app_configs() if config.models_module]
        if app_config is migrated[-1]:
            receiver(sender=sender, app_config=app_config, **kwargs)

    return receive


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = "Customers"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from customers.roles import role_members_marked_staff, roles_sync

        # weak=False: the wrapper is referenced by nothing else, so a weak reference would die
        # at the next garbage collection and migrate would create no roles.
        post_migrate.connect(
            _once_every_app_has_migrated(roles_sync),
            dispatch_uid="customers.roles_sync",
            weak=False,
        )
        m2m_changed.connect(
            role_members_marked_staff,
            sender=get_user_model().groups.through,
            dispatch_uid="customers.role_members_marked_staff",
        )
