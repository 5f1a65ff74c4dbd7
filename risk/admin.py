"""Django admin for models, runs and score history; starting a run goes through the service."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from crm.admin import ReadOnlyAdmin
from risk import runs, services
from risk.models import (
    CreditApplication,
    CustomerScore,
    RetrainChunk,
    RetrainRun,
    RiskModel,
    ScoringChunk,
    ScoringRun,
)


@admin.action(description="Make the selected version the active one", permissions=["train"])
def promote(modeladmin, request, queryset):
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select exactly one version to promote.", messages.ERROR)
        return
    try:
        model = services.model_promote(model=queryset.get(), actor=request.user)
    except ValidationError as error:
        modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        return
    modeladmin.message_user(request, f"{model} is now the active version.")


@admin.action(
    description="Roll the selected kinds back to the version active before", permissions=["train"]
)
def roll_back(modeladmin, request, queryset):
    for kind in sorted(set(queryset.values_list("kind", flat=True))):
        try:
            model = services.model_roll_back(kind=kind, actor=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            modeladmin.message_user(request, f"Rolled back: {model} is the active version again.")


@admin.register(RiskModel)
class RiskModelAdmin(ReadOnlyAdmin):
    list_display = [
        "kind",
        "version",
        "is_active",
        "activated_at",
        "as_of",
        "training_rows",
        "trained_at",
    ]
    list_filter = ["kind", "is_active"]
    readonly_fields = ["metrics", "artifact", "reference"]
    exclude = []
    actions = [promote, roll_back]

    def has_train_permission(self, request):
        return request.user.has_perm("risk.train_riskmodel")


class ScoringChunkInline(admin.TabularInline):
    model = ScoringChunk
    extra = 0
    can_delete = False
    fields = ["first_id", "last_id", "claimed_at", "attempts", "done_at", "failed", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="Start a new scoring run of all customers")
def start_run(modeladmin, request, queryset):
    if not request.user.has_perm("risk.start_scoringrun"):
        modeladmin.message_user(request, "You may not start scoring runs.", messages.ERROR)
        return
    try:
        run = runs.scoring_run_request(actor=request.user)
    except ValidationError as error:
        modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        return
    modeladmin.message_user(request, f"{run} queued with {run.chunks_total} chunks.")


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "status",
        "as_of",
        "percent_done",
        "customers_scored",
        "chunks_failed",
        "requested_label",
        "requested_at",
        "finished_at",
    ]
    list_filter = ["status"]
    inlines = [ScoringChunkInline]
    actions = [start_run]


class RetrainChunkInline(admin.TabularInline):
    model = RetrainChunk
    extra = 0
    can_delete = False
    fields = ["kind", "model", "outcome", "claimed_at", "attempts", "done_at", "failed", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RetrainRun)
class RetrainRunAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "period",
        "status",
        "models_trained",
        "chunks_failed",
        "requested_label",
        "requested_at",
        "finished_at",
    ]
    list_filter = ["status"]
    inlines = [RetrainChunkInline]


@admin.register(CustomerScore)
class CustomerScoreAdmin(ReadOnlyAdmin):
    list_display = [
        "customer",
        "scored_at",
        "churn_risk",
        "credit_score",
        "credit_rating",
        "fraud_risk",
        "influence",
        "lifetime_value",
    ]
    list_select_related = ["customer"]
    raw_id_fields = ["customer", "run"]
    search_fields = ["customer__number"]
    show_full_result_count = False


@admin.register(CreditApplication)
class CreditApplicationAdmin(admin.ModelAdmin):
    list_display = ["customer", "applied_on", "external_ref"]
    raw_id_fields = ["customer"]
    search_fields = ["customer__number", "external_ref"]
