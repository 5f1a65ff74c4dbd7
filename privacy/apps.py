from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Customers' data rights: what is held about a person (subject access), erasure by
    anonymisation, retention periods, legal holds, and who looked at a customer."""

    name = "privacy"
    verbose_name = "Privacy and data rights"

    def ready(self):
        from django.core.checks import register

        from customers.events import customer_viewed
        from customers.panels import panel_register

        from .access import access_latest, page_viewed
        from .checks import personal_data_check
        from .erasure import erasure_panel
        from .subject_access import subject_access_exports_of

        register(personal_data_check)
        panel_register(
            template="privacy/_erasure_panel.html",
            permissions=("privacy.view_erasurerequest",),
            context=erasure_panel,
            order=90,
        )
        panel_register(
            template="privacy/_access_panel.html",
            permissions=("privacy.view_accesslogentry",),
            context=access_latest,
            order=95,
        )
        panel_register(
            template="privacy/_subject_access_panel.html",
            permissions=("privacy.view_subjectaccessexport",),
            context=subject_access_exports_of,
            order=91,
        )
        customer_viewed.connect(page_viewed, dispatch_uid="privacy.page_viewed")
