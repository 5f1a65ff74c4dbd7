"""Bulk actions on the customer list: a confirmation page, then one outcome per customer (or,
for a large selection, a background run with its progress and refusals)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from customers.bulk import (
    BULK_INLINE_LIMIT,
    bulk_action,
    bulk_action_form,
    bulk_form_inputs,
    bulk_form_options,
    bulk_list,
    bulk_options_clean,
    bulk_preview,
    bulk_run_for_owner,
    bulk_selection,
    customers_bulk_apply,
    customers_bulk_start,
)
from customers.forms import CustomerFilterForm
from customers.models import BulkActionRun

# Refusals a run's page lists; the count says how many there are in all.
REFUSALS_SHOWN = 200


def _back_to_list(list_name: str, query: str) -> str:
    """The list a bulk action started from, with its filters."""
    try:
        url_name = bulk_list(list_name).url_name
    except ValidationError:
        url_name = bulk_list("").url_name
    return f"{reverse(url_name)}?{query}"


def _ticked(request) -> list[int]:
    try:
        return [int(value) for value in request.POST.getlist("ids")]
    except ValueError:
        raise ValidationError("The selection is broken; tick the rows again.") from None


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_POST
def customer_bulk(request):
    """Sent from a list of customers: confirm (how many, what happens), then apply and report
    each row."""
    scope, query = request.POST.get("scope", ""), request.POST.get("query", "")
    list_name = request.POST.get("list", "")
    context = {
        "query": query,
        "scope": scope,
        "list_name": list_name,
        "back": _back_to_list(list_name, query),
    }
    try:
        action = bulk_action(request.POST.get("action", ""))
        if not request.user.has_perm(action.permission):
            raise PermissionDenied
        ids = _ticked(request)
        customers = bulk_selection(
            scope=scope, query=query, customer_ids=ids, user=request.user, list_name=list_name
        )
    except ValidationError as error:
        return render(
            request, "customers/bulk/confirm.html", {**context, "error": " ".join(error.messages)}
        )
    preview = bulk_preview(action=action, customers=customers)
    confirmed = request.POST.get("confirmed") == "yes"
    # The action's own inputs: blank on the first showing, checked once confirmed.
    form = bulk_action_form(action, request.POST if confirmed else None)
    context |= {
        "form": form,
        "action": action,
        "ids": ids,
        "preview": preview,
        "in_background": preview.rows > BULK_INLINE_LIMIT,
        "managers": CustomerFilterForm.base_fields["manager"].queryset.all(),
        "chosen_manager": request.POST.get("manager", ""),
        "chosen_reason": request.POST.get("reason", ""),
    }
    if not confirmed:
        return render(request, "customers/bulk/confirm.html", context)
    try:
        options = bulk_options_clean(
            action,
            manager_id=request.POST.get("manager") or None,
            reason=request.POST.get("reason", ""),
        ) | bulk_form_options(form)
        if context["in_background"]:
            run = customers_bulk_start(
                action=action,
                actor=request.user,
                options=options,
                scope=scope,
                query=query,
                customer_ids=ids,
                form_inputs=bulk_form_inputs(form),
                list_name=list_name,
            )
            return redirect("customers:bulk_run", run_id=run.pk)
        outcomes = customers_bulk_apply(
            action=action, customers=customers, actor=request.user, options=options
        )
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "customers/bulk/confirm.html", context)
    done = sum(1 for outcome in outcomes if outcome.done)
    return render(
        request,
        "customers/bulk/result.html",
        {**context, "outcomes": outcomes, "done": done},
    )


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_GET
def bulk_run(request, run_id):
    """A background bulk action of the user's own: progress, then the rows it refused."""
    try:
        run = bulk_run_for_owner(run_id=run_id, user=request.user)
    except BulkActionRun.DoesNotExist:
        raise Http404("No such bulk action.") from None
    refusals = run.refusals.select_related("customer__party").order_by("customer__number")
    return render(
        request,
        "customers/bulk/run.html",
        {
            "run": run,
            "action": bulk_action(run.action),
            "refusals": refusals[:REFUSALS_SHOWN],
            "back": _back_to_list(run.list_name, run.query),
        },
    )
