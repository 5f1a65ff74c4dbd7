from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "crm.exports"
    label = "exports"
    verbose_name = "List exports"
