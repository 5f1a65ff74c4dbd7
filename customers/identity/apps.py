from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "customers.identity"
    label = "identity"
    verbose_name = "Identity and imports"

    def ready(self):
        from customers.identity_rules import identity_rules_install

        from .services import identity

        # The core asks identity for its duplicate rules through this seam, never by import.
        identity_rules_install(identity)
