"""Open interactions: the list of those waiting, resolving one, giving one to a colleague."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from crm.lists import list_page
from crm.navigation import back_to
from customers import interaction_selectors, services
from customers.forms import (
    InteractionResolveForm,
    OpenInteractionFilterForm,
    OwnerForm,
    apply_service_error,
)
from customers.models import Interaction
from customers.views.common import customer_or_404, posted


def _interaction_or_404(number: str, interaction_id: int) -> Interaction:
    """The interaction, if it is this customer's (or the customer's it was merged into)."""
    customer = customer_or_404(number)
    interaction = (
        Interaction.objects.select_related("customer__party", "owner", "staff", "closed_by")
        .filter(pk=interaction_id, customer=customer)
        .first()
    )
    if interaction is None:
        raise Http404(f"No interaction {interaction_id} of {customer.number}.")
    return interaction


@login_required
@permission_required("customers.view_interaction", raise_exception=True)
def open_interactions(request):
    form = OpenInteractionFilterForm(request.GET or None)
    show = (form.cleaned_data.get("show") if form.is_valid() else "") or "mine"
    return list_page(
        request,
        "customers/interactions/open.html",
        form=form,
        page_of=lambda filters, **cursor: interaction_selectors.open_interactions(
            show=show, user_id=request.user.pk, kind=filters.get("kind", ""), **cursor
        ),
        context={"show": show, "here": request.get_full_path()},
    )


@login_required
@permission_required("customers.change_interaction", raise_exception=True)
@require_http_methods(["GET", "POST"])
def interaction_resolve(request, number, interaction_id):
    interaction = _interaction_or_404(number, interaction_id)
    customer = interaction.customer
    back = back_to(request, customer.get_absolute_url())
    form = InteractionResolveForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_resolve(
                interaction=interaction, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"Interaction with {customer.number} resolved.")
            return redirect(back)
    return render(
        request,
        "customers/interactions/resolve.html",
        {"customer": customer, "interaction": interaction, "form": form, "back": back},
    )


@login_required
@permission_required("customers.change_interaction", raise_exception=True)
@require_http_methods(["GET", "POST"])
def interaction_assign(request, number, interaction_id):
    interaction = _interaction_or_404(number, interaction_id)
    customer = interaction.customer
    back = back_to(request, reverse("customers:open_interactions"))
    form = OwnerForm(
        posted(request),
        staff=interaction_selectors.interaction_owners(),
        initial={"owner": interaction.owner_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            interaction = services.interaction_assign(
                interaction=interaction, owner=form.cleaned_data["owner"], actor=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(
                request,
                f"Interaction with {customer.number} given to {interaction.owner.get_username()}.",
            )
            return redirect(back)
    return render(
        request,
        "customers/interactions/assign.html",
        {"customer": customer, "interaction": interaction, "form": form, "back": back},
    )
