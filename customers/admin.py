"""Django admin: every model, with the lifecycle as admin actions calling the same services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from crm.admin import LookUpOnlyAdmin, ReadOnlyAdmin
from crm.forms import ServiceCheckedForm
from crm.sealed import lookup_digest
from customers import selectors, services
from customers.models import (
    ActionLog,
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    CustomerAlias,
    CustomerRelationship,
    Interaction,
    Invoice,
    LifecycleEvent,
    Party,
    Payment,
    Product,
    Subscription,
    UsageSummary,
)
from customers.normalization import national_id_normalise
from customers.services.customers import (
    CUSTOMER_EDITABLE_FIELDS,
    PARTY_FIELDS,
    PartyInput,
    customer_partner_change,
    partner_reference_check,
    party_from_input,
)
from customers.services.preferences import contact_window_check
from customers.services.relationships import relationship_check


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContactMediumInline(ReadOnlyInline):
    model = ContactMedium
    fields = ("kind", "value", "label", "is_preferred", "is_verified", "valid_from", "valid_to")


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ("purpose", "channel", "granted", "source", "recorded_at", "recorded_by")


class PreferencesInline(admin.StackedInline):
    model = CommunicationPreferences
    can_delete = False
    readonly_fields = [f.name for f in CommunicationPreferences._meta.fields if f.name != "id"]

    def has_add_permission(self, request, obj=None):
        return False


class SubscriptionInline(ReadOnlyInline):
    model = Subscription
    fields = (
        "product",
        "service_id",
        "monthly_charge",
        "contract_term_months",
        "start_date",
        "end_date",
        "status",
    )
    ordering = ("-start_date",)


class LifecycleEventInline(ReadOnlyInline):
    model = LifecycleEvent
    fields = ("occurred_at", "action", "from_status", "to_status", "reason", "note", "actor")


class TransitionActionForm(forms.Form):
    reason = forms.ChoiceField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


def _lifecycle_admin_action(action: str):
    transition = services.TRANSITIONS[action]

    def run(modeladmin, request, queryset):
        form = TransitionActionForm(request.POST if "apply" in request.POST else None)
        form.fields["reason"].choices = [("", "—"), *transition.reasons]
        form.fields["reason"].required = transition.reason_required
        if form.is_bound and form.is_valid():
            done, refused = 0, []
            for customer in queryset.select_related("party"):
                try:
                    services.customer_transition(
                        customer=customer, action=action, actor=request.user, **form.cleaned_data
                    )
                    done += 1
                except ValidationError as error:
                    refused.append(" ".join(error.messages))
            if done:
                modeladmin.message_user(request, f"{transition.label}: {done} customer(s).")
            for message in refused[:20]:
                modeladmin.message_user(request, message, level=messages.ERROR)
            if len(refused) > 20:
                modeladmin.message_user(
                    request, f"… and {len(refused) - 20} more refused.", level=messages.ERROR
                )
            return None
        return TemplateResponse(
            request,
            "admin/customers/transition.html",
            {
                **modeladmin.admin_site.each_context(request),
                "title": f"{transition.label}: {queryset.count()} customer(s)",
                "transition": transition,
                "form": form,
                "customers": queryset.select_related("party")[:100],
                "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
                "action": f"lifecycle_{action}",
                "opts": modeladmin.model._meta,
            },
        )

    run.__name__ = f"lifecycle_{action}"
    return admin.action(description=f"{transition.label} selected customers", permissions=[action])(
        run
    )


class CustomerSaveRefused(Exception):
    """A service refused the admin's save; the admin rolls back and shows the form again."""

    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


class CustomerAdminForm(ServiceCheckedForm):
    service_checked_fields = ("partner",)
    # The service's refusal of the previous attempt at saving this very submission.
    refusal: ValidationError | None = None

    def service_check(self, data: dict) -> None:
        if self.refusal is not None:
            raise self.refusal
        if "partner" not in data:  # a form without the field
            return
        try:
            partner_reference_check(
                partner=data["partner"],
                reference=self.instance.partner_reference,
                customer=self.instance,
            )
        except ValidationError as error:
            # The reference came with the customer; it is the move to this partner that clashes.
            raise ValidationError({"partner": error.messages}) from None


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = (
        "number",
        "name",
        "status",
        "segment",
        "partner",
        "account_manager",
        "valid_from",
    )
    list_filter = ("status", "segment", "partner", "payment_method")
    list_select_related = ("party", "partner", "account_manager")
    search_fields = ("number",)
    search_help_text = "Name, customer number, e-mail or phone, as in the staff list."
    show_full_result_count = False
    raw_id_fields = ("party",)
    autocomplete_fields = ()
    readonly_fields = (
        "number",
        "party",
        "status",
        "status_reason",
        "status_changed_at",
        "valid_from",
        "valid_to",
        "last_activity_at",
        "stale_since",
        "created_at",
        "updated_at",
    )
    fields = (
        ("number", "party"),
        ("name", "description"),
        ("status", "status_reason", "status_changed_at"),
        ("segment", "payment_method"),
        ("account_manager", "partner"),
        "lead_source",
        ("valid_from", "valid_to"),
        ("last_activity_at", "stale_since"),
        ("created_at", "updated_at"),
    )
    inlines = [PreferencesInline, ConsentInline, SubscriptionInline, LifecycleEventInline]
    actions = [_lifecycle_admin_action(action) for action in services.TRANSITIONS]

    @admin.display(description="Name", ordering="party__sort_key")
    def name(self, obj):
        return obj.party.display_name

    def get_search_results(self, request, queryset, search_term):
        # The same search as the staff list: indexed prefix and exact lookups only.
        return selectors.customer_search(queryset, search_term), False

    def has_add_permission(self, request):
        # New customers start as leads through the staff UI or the API, where the
        # duplicate checks and the history are applied.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except CustomerSaveRefused as refused:
            # The admin's transaction was rolled back: nothing of this save was kept. Show the
            # same submission again with the service's words on the form.
            request.customer_save_refusal = refused.error
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "customer_save_refusal", None)
        if refusal is not None:
            form = type(form.__name__, (form,), {"refusal": refusal})
        return form

    def save_model(self, request, obj, form, change):
        changes = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in CUSTOMER_EDITABLE_FIELDS
        }
        try:
            if "partner" in form.changed_data:
                customer_partner_change(
                    customer=obj, partner=form.cleaned_data["partner"], actor=request.user
                )
            if changes:
                services.customer_update(customer=obj, actor=request.user, **changes)
        except ValidationError as error:
            raise CustomerSaveRefused(error) from error

    # Admin actions declare permissions=[action]; Django asks has_<action>_permission.
    def _may(self, request, action):
        return request.user.has_perm(services.TRANSITIONS[action].permission)

    def has_qualify_permission(self, request):
        return self._may(request, "qualify")

    def has_establish_permission(self, request):
        return self._may(request, "establish")

    def has_disqualify_permission(self, request):
        return self._may(request, "disqualify")

    def has_suspend_permission(self, request):
        return self._may(request, "suspend")

    def has_resume_permission(self, request):
        return self._may(request, "resume")

    def has_terminate_permission(self, request):
        return self._may(request, "terminate")

    def has_reestablish_permission(self, request):
        return self._may(request, "reestablish")


class PartyAdminForm(ServiceCheckedForm):
    service_checked_fields = PARTY_FIELDS

    def service_check(self, data: dict) -> None:
        names = {name: data.get(name, getattr(self.instance, name)) for name in PARTY_FIELDS}
        party_from_input(PartyInput(**names))


@admin.register(Party)
class PartyAdmin(admin.ModelAdmin):
    form = PartyAdminForm
    list_display = ("display_name", "kind", "birth_date", "national_id", "registration_number")
    list_filter = ("kind",)
    search_fields = (
        "^name_key",
        "^sort_key",
        "^family_name_key",
        "=registration_number",
    )
    show_full_result_count = False

    def get_search_results(self, request, queryset, search_term):
        # The national id is stored encrypted: it is found by its keyed hash, whole.
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digest = lookup_digest(national_id_normalise(search_term))
        if digest:
            found = found | queryset.filter(national_id_digest=digest)
        return found, may_have_duplicates

    readonly_fields = (
        "display_name",
        "name_key",
        "sort_key",
        "family_name_key",
        "created_at",
        "updated_at",
    )
    inlines = [ContactMediumInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {n: form.cleaned_data[n] for n in form.changed_data if n in PARTY_FIELDS}
        if changes:
            services.customer_update(customer=obj.customer, actor=request.user, **changes)


@admin.register(ContactMedium)
class ContactMediumAdmin(admin.ModelAdmin):
    list_display = ("value", "kind", "party", "is_preferred", "is_verified", "valid_to")
    list_filter = ("kind", "is_preferred", "is_verified")
    search_fields = ("^value",)
    raw_id_fields = ("party",)
    list_select_related = ("party",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in ContactMedium._meta.fields]


@admin.register(Consent)
class ConsentAdmin(LookUpOnlyAdmin):
    list_display = (
        "customer",
        "purpose",
        "channel",
        "granted",
        "source",
        "recorded_at",
        "recorded_by",
    )
    list_filter = ("purpose", "channel", "granted", "source")
    search_fields = ("=customer__number",)
    raw_id_fields = ("customer", "recorded_by")
    list_select_related = ("customer__party", "recorded_by")
    show_full_result_count = False


class PreferencesAdminForm(ServiceCheckedForm):
    service_checked_fields = ("contact_time_from", "contact_time_to")

    def service_check(self, data: dict) -> None:
        contact_window_check(
            time_from=data.get("contact_time_from"), time_to=data.get("contact_time_to")
        )


@admin.register(CommunicationPreferences)
class CommunicationPreferencesAdmin(admin.ModelAdmin):
    form = PreferencesAdminForm
    list_display = (
        "customer",
        "language",
        "preferred_channel",
        "statement_format",
        "statement_frequency",
    )
    list_filter = ("language", "preferred_channel", "statement_format")
    search_fields = ("=customer__number",)
    raw_id_fields = ("customer",)
    list_select_related = ("customer__party",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        changes = {n: form.cleaned_data[n] for n in form.changed_data if n != "customer"}
        services.preferences_update(customer=obj.customer, actor=request.user, **changes)


@admin.register(Interaction)
class InteractionAdmin(LookUpOnlyAdmin):
    list_display = ("occurred_at", "customer", "kind", "channel", "direction", "outcome", "staff")
    list_filter = ("kind", "channel", "direction", "outcome")
    search_fields = ("=customer__number",)
    date_hierarchy = "occurred_at"
    raw_id_fields = ("customer", "staff")
    list_select_related = ("customer__party", "staff")
    show_full_result_count = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "family",
        "option",
        "access",
        "list_price",
        "margin_rate",
        "is_active",
    )
    list_filter = ("family", "option", "access", "is_active")
    search_fields = ("code", "name")


@admin.register(Subscription)
class SubscriptionAdmin(LookUpOnlyAdmin):
    """Products are added, changed and ended on the customer page, through the services."""

    list_display = (
        "customer",
        "product",
        "monthly_charge",
        "contract_term_months",
        "start_date",
        "end_date",
        "status",
    )
    list_filter = ("status", "product__family", "contract_term_months")
    search_fields = ("=customer__number", "=service_id")
    raw_id_fields = ("customer",)
    list_select_related = ("customer__party", "product")
    show_full_result_count = False


@admin.register(Invoice)
class InvoiceAdmin(LookUpOnlyAdmin):
    """Billing facts come from billing (its feed and the imports)."""

    list_display = ("number", "customer", "issued_on", "due_on", "amount", "paid_amount", "paid_on")
    list_filter = ("issued_on",)
    search_fields = ("=number", "=customer__number")
    raw_id_fields = ("customer",)
    list_select_related = ("customer__party",)
    show_full_result_count = False


@admin.register(UsageSummary)
class UsageSummaryAdmin(LookUpOnlyAdmin):
    """Usage comes from mediation (its feed, the imports and the API), through the service that
    replaces a month sent again."""

    list_display = (
        "customer",
        "product",
        "month",
        "voice_minutes_day",
        "voice_minutes_evening",
        "voice_minutes_night",
        "voice_minutes_international",
        "data_mb",
        "service_calls",
    )
    list_filter = ("product__family", "product__option")
    search_fields = ("=customer__number", "=external_ref")
    raw_id_fields = ("customer", "product")
    list_select_related = ("customer__party", "product")
    # Newest rows first on the primary key: sorting millions of rows by month would not use it.
    ordering = ("-id",)
    show_full_result_count = False


@admin.register(Payment)
class PaymentAdmin(LookUpOnlyAdmin):
    list_display = ("reference", "customer", "invoice", "amount", "received_on", "method")
    list_filter = ("method",)
    search_fields = ("=reference", "=customer__number")
    raw_id_fields = ("customer", "invoice")
    list_select_related = ("customer__party", "invoice")
    show_full_result_count = False


class RelationshipAdminForm(ServiceCheckedForm):
    service_checked_fields = ("from_customer", "to_customer", "kind")

    def service_check(self, data: dict) -> None:
        relationship_check(
            from_customer=data["from_customer"], to_customer=data["to_customer"], kind=data["kind"]
        )


@admin.register(CustomerRelationship)
class CustomerRelationshipAdmin(admin.ModelAdmin):
    form = RelationshipAdminForm
    list_display = ("from_customer", "kind", "to_customer", "created_at")
    list_filter = ("kind",)
    search_fields = ("=from_customer__number", "=to_customer__number")
    raw_id_fields = ("from_customer", "to_customer")
    list_select_related = ("from_customer__party", "to_customer__party")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if change:
            raise ValidationError("Remove the relationship and add a new one instead.")
        created = services.relationship_add(
            from_customer=obj.from_customer,
            to_customer=obj.to_customer,
            kind=obj.kind,
            actor=request.user,
        )
        obj.pk = created.pk

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def delete_model(self, request, obj):
        services.relationship_remove(relationship=obj, actor=request.user)


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "customer",
        "action",
        "from_status",
        "to_status",
        "reason",
        "actor",
    )
    list_filter = ("action", "to_status", "reason")
    search_fields = ("=customer__number",)
    date_hierarchy = "occurred_at"
    list_select_related = ("customer__party", "actor")
    show_full_result_count = False


@admin.register(ActionLog)
class ActionLogAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "customer", "actor_label")
    list_filter = ("action",)
    search_fields = ("=customer__number", "=actor_label")
    date_hierarchy = "created_at"
    list_select_related = ("customer__party",)
    show_full_result_count = False


@admin.register(CustomerAlias)
class CustomerAliasAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "created_at")
    search_fields = ("=number", "=customer__number")
    list_select_related = ("customer__party",)
    readonly_fields = ("number", "customer", "created_at")

    def has_add_permission(self, request):
        return False
