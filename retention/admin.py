"""Campaigns and their members are written by the retention services only: looked up here."""

from django.contrib import admin

from crm.admin import LookUpOnlyAdmin

from .models import Campaign, CampaignMember


@admin.register(Campaign)
class CampaignAdmin(LookUpOnlyAdmin):
    list_display = ("name", "action", "status", "treated_count", "control_count", "created_at")
    list_filter = ("status", "action")
    search_fields = ("name",)


@admin.register(CampaignMember)
class CampaignMemberAdmin(LookUpOnlyAdmin):
    list_display = ("campaign", "customer", "group", "outcome", "outcome_at")
    list_filter = ("group", "outcome")
    raw_id_fields = ("campaign", "customer")
    search_fields = ("customer__number",)
    show_full_result_count = False
