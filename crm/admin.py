"""Admin bases shared by every app: rows that only services write are looked up here, never
written from a bare form."""

from django.contrib import admin

from crm.models import Handoff


class LookUpOnlyAdmin(admin.ModelAdmin):
    """Listed and shown, never added or changed here: the services that write these rows check
    and audit what a bare admin form would not. Deleting stays as the permissions say."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(LookUpOnlyAdmin):
    """History and records kept as they were written: not even deleted from admin."""

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Handoff)
class HandoffAdmin(LookUpOnlyAdmin):
    """Work the broker has not taken yet: a long list here means the broker is away, and the
    sweep will send it all when it is back."""

    list_display = ("task", "args", "created_at", "due_at", "attempts", "last_error")
    list_filter = ("task",)
    date_hierarchy = "created_at"
