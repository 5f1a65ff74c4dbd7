from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Customer portal"

    def ready(self):
        from django.urls import reverse_lazy

        from crm.public_errors import public_area_register

        from .auth import portal_language

        # The staff rule lets the portal's pages through (they have their own sign-in), and
        # their error pages are drawn in the public look, in the customer's language.
        public_area_register(
            name="portal", prefix=reverse_lazy("portal:overview"), language_of=portal_language
        )
