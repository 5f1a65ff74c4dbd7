from django.contrib import admin

from crm.admin import ReadOnlyAdmin
from crm.signin.models import SignInEvent


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnlyAdmin):
    """The sign-in log. Locked-out accounts are unlocked under Axes, Access attempts (delete
    the attempts of that username and address)."""

    list_display = ("at", "kind", "username", "ip_address", "detail", "user_agent")
    list_filter = ("kind",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "at"
