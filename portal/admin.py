from django.contrib import admin

from crm.admin import ReadOnlyAdmin
from portal.models import PortalSignIn


@admin.register(PortalSignIn)
class PortalSignInAdmin(ReadOnlyAdmin):
    """The portal's sign-in log: codes asked for and sent, codes entered, sign-outs. Addresses
    are shown only as their keyed hash; the same address always has the same one."""

    list_display = ("at", "outcome", "customer", "ip_address", "address_digest")
    list_filter = ("outcome",)
    search_fields = ("customer__number", "ip_address", "address_digest")
    date_hierarchy = "at"
    list_select_related = ("customer__party",)
