"""The retention page: each kind of data's period, a dry run's report, a run that applies."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import retention as services
from ..forms import RetentionRuleForm


@login_required
@permission_required("privacy.view_retentionrun", raise_exception=True)
def retention_page(request):
    rules = services.retention_rules()
    return render(
        request,
        "privacy/retention.html",
        {
            "rules": [(rule, RetentionRuleForm(prefix=rule.kind, rule=rule)) for rule in rules],
            "runs": services.retention_runs(),
            "counters": services.COUNTERS,
        },
    )


@login_required
@permission_required("privacy.change_retentionrule", raise_exception=True)
@require_POST
def retention_rule_save(request, kind):
    form = RetentionRuleForm(request.POST, prefix=kind)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        rule = services.retention_rule_update(kind=kind, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        state = "on" if rule.enabled else "off"
        messages.success(request, f"{rule.get_kind_display()}: {rule.days} days, {state}.")
    return redirect("privacy:retention")


@login_required
@permission_required(services.START_PERMISSION, raise_exception=True)
@require_POST
def retention_run_start(request):
    dry_run = request.POST.get("mode") != "apply"
    try:
        run = services.retention_run_request(dry_run=dry_run, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        what = "Dry run" if dry_run else "Retention run"
        messages.success(request, f"{what} {run.pk} started over {run.chunks_total} chunk(s).")
    return redirect("privacy:retention")
