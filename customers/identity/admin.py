"""Django admin of the identity app."""

from django.contrib import admin

from customers.admin import ReadOnlyInline
from customers.identity.models import (
    DuplicateCandidate,
    DuplicateScan,
    IdentityKey,
    ImportJob,
    ImportRowError,
)
from customers.identity.services.merge import duplicate_mark_distinct


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(admin.ModelAdmin):
    list_display = ("customer_low", "customer_high", "score", "status", "source", "found_at")
    list_filter = ("status", "source")
    search_fields = ("=customer_low__number", "=customer_high__number")
    raw_id_fields = ("customer_low", "customer_high", "decided_by")
    list_select_related = ("customer_low__party", "customer_high__party")
    readonly_fields = [f.name for f in DuplicateCandidate._meta.fields]
    show_full_result_count = False
    actions = ["mark_not_duplicate"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Mark as not a duplicate", permissions=["change"])
    def mark_not_duplicate(self, request, queryset):
        decided = 0
        for candidate in queryset.filter(status=DuplicateCandidate.Status.OPEN):
            duplicate_mark_distinct(candidate=candidate, actor=request.user)
            decided += 1
        self.message_user(request, f"{decided} pair(s) marked as different people.")


@admin.register(DuplicateScan)
class DuplicateScanAdmin(admin.ModelAdmin):
    list_display = ("pk", "status", "requested_at", "chunks_done", "chunks_total", "pairs_found")
    list_filter = ("status",)
    readonly_fields = [f.name for f in DuplicateScan._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(IdentityKey)
class IdentityKeyAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "party")
    list_filter = ("kind",)
    search_fields = ("=value",)
    raw_id_fields = ("party",)
    list_select_related = ("party",)
    show_full_result_count = False
    readonly_fields = ("party", "kind", "value")

    def has_add_permission(self, request):
        return False


class ImportRowErrorInline(ReadOnlyInline):
    model = ImportRowError
    fields = ("row_number", "external_ref", "field", "message")
    max_num = 0


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "original_name",
        "kind",
        "status",
        "rows_done",
        "rows_total",
        "rows_created",
        "rows_failed",
    )
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in ImportJob._meta.fields]
    inlines = [ImportRowErrorInline]

    def has_add_permission(self, request):
        # Uploads go through the staff UI's import page, which checks the file first.
        return False
