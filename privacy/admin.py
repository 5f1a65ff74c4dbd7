"""Django admin for data rights: looked up here, written only by the services."""

from django.contrib import admin

from crm.admin import ReadOnlyAdmin

from .models import AccessLogEntry, SubjectAccessExport


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(ReadOnlyAdmin):
    """The evidence of who looked at whom: kept as written, forgotten only by its period."""

    list_display = ["at", "customer", "actor_label", "what"]
    list_filter = ["what"]
    list_select_related = ["customer__party"]
    raw_id_fields = ["customer", "actor"]
    search_fields = ["=customer__number"]
    date_hierarchy = "at"
    # The table grows by a row per page view: no COUNT over all of it for the pager.
    show_full_result_count = False


@admin.register(SubjectAccessExport)
class SubjectAccessExportAdmin(ReadOnlyAdmin):
    list_display = ["requested_at", "customer", "requested_by", "status", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["customer__party", "requested_by"]
    raw_id_fields = ["customer", "requested_by"]
    search_fields = ["=customer__number"]
    # The file names are what makes them unguessable: not shown here.
    exclude = ["json_file", "html_file"]
