from django.contrib import admin

from .models import MessageTemplate, OutboundMessage


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """Read here; edited on the staff page, which checks the placeholders and previews."""

    list_display = ("event", "language", "subject", "updated_at", "updated_by")
    list_filter = ("event", "language")
    readonly_fields = ("event", "language", "subject", "body", "updated_at", "updated_by")

    def has_add_permission(self, request):
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    """The outbox, for operators: what waits, what was sent, what failed and why."""

    list_display = ("pk", "event", "customer", "channel", "status", "due_at", "sent_at", "attempts")
    list_filter = ("status", "event", "channel")
    raw_id_fields = ("customer", "interaction")
    readonly_fields = [field.name for field in OutboundMessage._meta.fields]
    search_fields = ("customer__number",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
