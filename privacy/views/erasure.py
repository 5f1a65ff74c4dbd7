"""Erasure requests and legal holds: ask, approve or refuse, hold and lift."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from customers.forms import apply_service_error
from customers.views.common import customer_or_404, posted

from .. import erasure as services
from .. import holds
from ..forms import ErasureDecisionForm, ErasureRequestForm, LegalHoldForm
from ..models import ErasureRequest


@login_required
@permission_required("privacy.view_erasurerequest", raise_exception=True)
def erasure_list(request):
    return render(
        request,
        "privacy/erasures.html",
        {
            "waiting": services.erasure_waiting_for(request.user),
            "recent": ErasureRequest.objects.select_related(
                "customer__party", "requested_by", "decided_by"
            ).order_by("-requested_at", "-id")[:50],
        },
    )


@login_required
@permission_required("privacy.view_erasurerequest", raise_exception=True)
@require_http_methods(["GET", "POST"])
def erasure_detail(request, request_id):
    erasure = get_object_or_404(
        ErasureRequest.objects.select_related("customer__party", "requested_by", "decided_by"),
        pk=request_id,
    )
    form = ErasureDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                services.erasure_approve(request=erasure, actor=request.user)
                messages.success(request, f"Customer {erasure.customer.number} is erased.")
            else:
                services.erasure_refuse(
                    request=erasure, refusal=form.cleaned_data["refusal"], actor=request.user
                )
                messages.success(request, "The request is refused; nothing was erased.")
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            return redirect("privacy:erasure", request_id=erasure.pk)
    waiting = erasure.status == ErasureRequest.Status.REQUESTED
    return render(
        request,
        "privacy/erasure.html",
        {
            "erasure": erasure,
            "form": form,
            "blockers": services.erasure_blockers(erasure.customer) if waiting else [],
            "may_decide": waiting
            and request.user.has_perm(services.APPROVE_PERMISSION)
            and erasure.requested_by_id != request.user.pk,
        },
    )


@login_required
@permission_required(services.REQUEST_PERMISSION, raise_exception=True)
@require_http_methods(["GET", "POST"])
def erasure_request(request, number):
    customer = customer_or_404(number)
    form = ErasureRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            erasure = services.erasure_request(
                customer=customer, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "The request waits for a manager's approval.")
            return redirect("privacy:erasure", request_id=erasure.pk)
    return render(
        request,
        "privacy/erasure_request.html",
        {"customer": customer, "form": form, "blockers": services.erasure_blockers(customer)},
    )


@login_required
@require_POST
def legal_hold(request, number):
    customer = customer_or_404(number)
    form = LegalHoldForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.get("reason") or "Say why the data must be kept.")
        if form.cleaned_data["lift"]:
            holds.legal_hold_lift(customer=customer, actor=request.user)
            messages.success(request, "The legal hold is lifted.")
        else:
            holds.legal_hold_set(
                customer=customer, reason=form.cleaned_data["reason"], actor=request.user
            )
            messages.success(request, "The customer's data is held.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(customer.get_absolute_url() + "#data-rights-h")
