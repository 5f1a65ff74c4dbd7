"""Statements are written by the monthly run only: the admin shows them, never edits them."""

from django.contrib import admin

from .models import Statement, StatementRun


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("customer", "period", "format", "closing_balance", "currency", "generated_at")
    list_filter = ("period", "format", "frequency")
    search_fields = ("customer__number",)
    raw_id_fields = ("customer", "run")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StatementRun)
class StatementRunAdmin(admin.ModelAdmin):
    list_display = ("pk", "period", "status", "statements_written", "requested_at", "finished_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
