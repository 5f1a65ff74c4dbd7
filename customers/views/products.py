"""A customer's products from the customer page: add one, change its terms, end it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from customers import services
from customers.forms import (
    SubscriptionAddForm,
    SubscriptionChangeForm,
    SubscriptionEndForm,
    apply_service_error,
)
from customers.models import Subscription
from customers.services.billing import contract_end
from customers.views.common import customer_or_404 as _customer_or_404
from customers.views.common import posted as _posted


def _subscription_or_404(number: str, subscription_id: int) -> Subscription:
    customer = _customer_or_404(number)
    subscription = (
        Subscription.objects.select_related("product")
        .filter(pk=subscription_id, customer=customer)
        .first()
    )
    if subscription is None:
        raise Http404(f"No product {subscription_id} of {customer.number}.")
    subscription.customer = customer
    return subscription


@login_required
@permission_required("customers.add_subscription", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_add(request, number):
    customer = _customer_or_404(number)
    form = SubscriptionAddForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            subscription = services.subscription_add(
                customer=customer, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{subscription.product.name} added.")
            return redirect(customer)
    return render(request, "customers/products/add.html", {"customer": customer, "form": form})


@login_required
@permission_required("customers.change_subscription", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_change(request, number, subscription_id):
    subscription = _subscription_or_404(number, subscription_id)
    customer = subscription.customer
    form = SubscriptionChangeForm(
        _posted(request), initial=SubscriptionChangeForm.initial_from(subscription)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_change(
                subscription=subscription, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{subscription.product.name} changed.")
            return redirect(customer)
    return render(
        request,
        "customers/products/change.html",
        {"customer": customer, "subscription": subscription, "form": form},
    )


@login_required
@permission_required("customers.change_subscription", raise_exception=True)
@require_http_methods(["GET", "POST"])
def product_end(request, number, subscription_id):
    subscription = _subscription_or_404(number, subscription_id)
    customer = subscription.customer
    form = SubscriptionEndForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.subscription_end(
                subscription=subscription, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{subscription.product.name} ended.")
            return redirect(customer)
    return render(
        request,
        "customers/products/end.html",
        {
            "customer": customer,
            "subscription": subscription,
            "form": form,
            "contract_ends": contract_end(subscription),
        },
    )
