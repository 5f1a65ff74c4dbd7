from django.apps import AppConfig


class SavedViewsConfig(AppConfig):
    name = "crm.savedviews"
    label = "savedviews"
    verbose_name = "Saved list views"
