"""Django admin for staff work: looked up here, written through the services from the staff UI."""

from django.contrib import admin

from crm.admin import LookUpOnlyAdmin

from .models import Note, Notification, Task


@admin.register(Task)
class TaskAdmin(LookUpOnlyAdmin):
    list_display = ["title", "customer", "kind", "owner", "due_on", "priority", "state"]
    list_filter = ["state", "kind", "priority"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["customer", "owner", "created_by", "closed_by"]
    date_hierarchy = "due_on"


@admin.register(Note)
class NoteAdmin(LookUpOnlyAdmin):
    list_display = ["customer", "author", "pinned", "created_at"]
    list_select_related = ["customer", "author"]
    raw_id_fields = ["customer", "author"]


@admin.register(Notification)
class NotificationAdmin(LookUpOnlyAdmin):
    list_display = ["recipient", "kind", "text", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "task"]
