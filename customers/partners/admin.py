"""Django admin of the partners app."""

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from crm.admin import ReadOnlyAdmin
from customers.models import Partner
from customers.partners import selectors as partner_selectors
from customers.partners.models import ApiToken, HubDelivery, HubSubscription
from customers.partners.services import hub, partners


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    """Details only: the lifecycle and the tokens are run from the partner's staff page."""

    list_display = ("name", "status", "registration_number", "contact_email", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "=registration_number", "=contact_email")
    readonly_fields = ("status", "status_reason", "status_changed_at", "created_at")
    fields = (
        "name",
        ("registration_number", "website"),
        ("contact_name", "contact_email"),
        "notes",
        "rate_limit_per_minute",
        ("status", "status_reason", "status_changed_at"),
        "created_at",
    )

    def has_delete_permission(self, request, obj=None):
        # A partner's customers, tokens and history hang on it; terminate it instead.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if changes:
                partners.partner_update(partner=obj, actor=request.user, **changes)
            return
        created = partners.partner_create(actor=request.user, **form.cleaned_data)
        obj.pk = created.pk
        obj.status = created.status


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Read-only: tokens are issued, rotated and revoked from the partner's staff page."""

    list_display = (
        "listed_as",
        "name",
        "partner",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("partner__status",)
    search_fields = ("=prefix", "name", "partner__name")
    list_select_related = ("partner",)
    show_full_result_count = False
    # Never the hash: it is not a secret to read, but nothing to show either.
    fields = (
        "partner",
        "name",
        "listed_as",
        "scopes",
        ("created_at", "created_by"),
        "expires_at",
        "last_used_at",
        ("revoked_at", "revoked_by"),
    )
    readonly_fields = flatten(fields)
    actions = ["revoke_tokens"]

    @admin.display(description="Token", ordering="prefix")
    def listed_as(self, obj):
        return f"crm_{obj.prefix}_…"

    def has_revoke_permission(self, request):
        return request.user.has_perm("customers.manage_partner_tokens")

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke_tokens(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at=None):
            partners.token_revoke(token=token, actor=request.user)
            revoked += 1
        self.message_user(request, f"{revoked} token(s) revoked.")


@admin.register(HubSubscription)
class HubSubscriptionAdmin(ReadOnlyAdmin):
    """Hubs are registered through the API, which checks the callback; here they are listed."""

    list_display = ("callback", "partner", "query", "created_at", "deleted_at")
    list_filter = (("deleted_at", admin.EmptyFieldListFilter), "partner")
    search_fields = ("callback", "partner__name")
    list_select_related = ("partner",)
    show_full_result_count = False
    fields = ("partner", "callback", "query", ("created_at", "created_by"), "deleted_at")
    readonly_fields = flatten(fields)
    actions = ["remove_hubs"]

    def has_remove_permission(self, request):
        return request.user.has_perm("customers.manage_partner_tokens")

    @admin.action(description="Remove selected hubs", permissions=["remove"])
    def remove_hubs(self, request, queryset):
        removed = 0
        for subscription in queryset.filter(deleted_at=None).select_related("partner"):
            hub.hub_unsubscribe(hub=subscription, actor=request.user)
            removed += 1
        self.message_user(request, f"{removed} hub(s) removed.")


@admin.register(HubDelivery)
class HubDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "event_type",
        "customer_id",
        "subscription",
        "status",
        "attempts",
        "response_status",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "subscription__partner")
    search_fields = ("subscription__callback",)
    list_select_related = ("event", "subscription")
    show_full_result_count = False
    fields = (
        ("event", "subscription"),
        ("status", "attempts"),
        ("last_attempt_at", "response_status"),
        "last_error",
        ("next_attempt_at", "delivered_at", "created_at"),
        "payload",
    )
    readonly_fields = flatten(fields)
    actions = ["replay_deliveries"]

    @admin.display(description="Event", ordering="event__event_type")
    def event_type(self, obj):
        return obj.event.event_type

    @admin.display(description="Customer id")
    def customer_id(self, obj):
        return obj.event.customer_id

    @admin.display(description="Payload")
    def payload(self, obj):
        return format_html("<pre>{}</pre>", partner_selectors.hub_delivery_payload(obj))

    def has_replay_permission(self, request):
        return request.user.has_perm("partners.change_hubdelivery")

    @admin.action(description="Replay selected deliveries", permissions=["replay"])
    def replay_deliveries(self, request, queryset):
        replayed, refused = 0, []
        for delivery in queryset:
            try:
                hub.hub_delivery_replay(delivery=delivery, actor=request.user)
                replayed += 1
            except ValidationError as error:
                refused.append(f"Delivery {delivery.pk}: {' '.join(error.messages)}")
        if replayed:
            self.message_user(request, f"{replayed} delivery(ies) queued to be sent again.")
        for message in refused[:20]:
            self.message_user(request, message, level=messages.ERROR)
        if len(refused) > 20:
            self.message_user(
                request, f"… and {len(refused) - 20} more refused.", level=messages.ERROR
            )
