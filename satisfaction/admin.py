"""Django admin for surveys and their results; changes go through the services."""

from django.contrib import admin, messages

from crm.admin import ReadOnlyAdmin

from . import services
from .models import DailyResult, FollowUp, Invitation, Response, Survey, SurveyVersion


class SurveyVersionInline(admin.TabularInline):
    model = SurveyVersion
    extra = 0
    fields = ["number", "texts", "created_at", "created_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    """Settings are edited here; new surveys and their wording in the staff UI (Satisfaction →
    Surveys), which keeps versions."""

    list_display = ["name", "kind", "trigger", "is_active", "created_at"]
    list_filter = ["kind", "trigger", "is_active"]
    inlines = [SurveyVersionInline]

    readonly_fields = ["kind"]

    def has_add_permission(self, request):
        return False  # new surveys start with their wording, in the staff UI

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.survey_update(survey=obj, actor=request.user, **changes)


@admin.action(description="Record that the message bounced")
def mark_bounced(modeladmin, request, queryset):
    for invitation in queryset:
        services.invitation_bounced(invitation=invitation, actor=request.user)
    modeladmin.message_user(request, f"{queryset.count()} invitation(s) marked.", messages.INFO)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["survey", "customer", "channel", "status", "created_at", "sent_at"]
    list_filter = ["status", "channel", "survey"]
    raw_id_fields = ["customer"]
    search_fields = ["customer__number", "address"]
    list_select_related = ["survey", "customer"]
    show_full_result_count = False
    actions = [mark_bounced]

    def has_change_permission(self, request, obj=None):
        # The bounce action needs it; the form itself stays read-only.
        return obj is None and request.user.has_perm("satisfaction.change_invitation")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("satisfaction.change_invitation"):
            actions.pop("mark_bounced", None)
        return actions


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["responded_at", "survey", "customer", "score", "sentiment", "channel"]
    list_filter = ["kind", "sentiment", "channel", "survey"]
    raw_id_fields = ["customer", "invitation"]
    search_fields = ["customer__number"]
    list_select_related = ["survey", "customer"]
    show_full_result_count = False


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["customer", "due_on", "status", "assigned_to", "outcome"]
    list_filter = ["status", "outcome"]
    raw_id_fields = ["customer", "response"]
    list_select_related = ["customer", "assigned_to"]


@admin.register(DailyResult)
class DailyResultAdmin(ReadOnlyAdmin):
    list_display = ["day", "survey", "touch_point", "segment", "channel", "invited", "responded"]
    list_filter = ["survey", "channel", "segment"]
    date_hierarchy = "day"
