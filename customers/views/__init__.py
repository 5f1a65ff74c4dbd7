"""Staff UI: each view parses input, calls one service or selector, and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from crm.lists import list_page
from crm.savedviews.services import saved_views_context
from customers import selectors, services
from customers.bulk import bulk_actions_for
from customers.events import customer_viewed
from customers.forms import (
    ConsentForm,
    ContactMediumForm,
    CustomerFilterForm,
    InteractionForm,
    LeadForm,
    PreferencesForm,
    ProfileForm,
    TransitionForm,
    apply_service_error,
)
from customers.identity_rules import DuplicateFound
from customers.labels import transition_permission_refusal, transition_status_refusal
from customers.models import CommunicationPreferences, ContactMedium, Customer
from customers.panels import panels_for
from customers.services.lifecycle import (
    DEBT_CHECKED_ACTIONS,
    allowed_transitions,
    reasons_accepting_overdue_debt,
)
from customers.views.common import customer_or_404 as _customer_or_404
from customers.views.common import posted as _posted
from customers.views.sorting import customer_sort_headers


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request):
    return list_page(
        request,
        "customers/list.html",
        form=CustomerFilterForm.for_user(request.GET or None, user=request.user),
        page_of=lambda filters, **cursor: selectors.customer_list(
            **CustomerFilterForm.selector_filters(filters), counted=True, **cursor
        ),
        context={
            "sort_headers": customer_sort_headers(
                request.GET,
                current=request.GET.get("sort") or "newest",
                scores_visible=request.user.has_perm("customers.view_latestscores"),
            ),
            "bulk_actions": bulk_actions_for(request.user),
            **saved_views_context(user=request.user, list_name="customers"),
        },
    )


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, number):
    customer = _customer_or_404(number)
    if customer.number != number.strip().upper():
        messages.info(request, f"{number.upper()} was merged into {customer.number}.")
        return redirect(customer)
    customer_viewed.send(sender=Customer, customer=customer, viewer=request.user)
    context = {
        "customer": customer,
        **selectors.customer_360(customer=customer, viewer=request.user),
        "extra_panels": panels_for(customer, viewer=request.user),
    }
    return render(request, "customers/detail.html", context)


@login_required
@permission_required("customers.add_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_create(request):
    form = LeadForm(_posted(request))
    duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                party=form.party_input(),
                actor=request.user,
                segment=form.cleaned_data["segment"],
                lead_source=form.cleaned_data["lead_source"],
                language=form.cleaned_data["language"],
                account_manager=request.user,
                confirmed_distinct=form.cleaned_data["confirmed_distinct"],
            )
        except DuplicateFound as found:
            duplicates = found
        except ValidationError as error:
            apply_service_error(form, error, {"value": "email"})
        else:
            messages.success(request, f"Lead {customer.number} created.")
            return redirect(customer)
    return render(
        request,
        "customers/lead_form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "confirm_ids": ",".join(str(m.customer.pk) for m in duplicates.matches)
            if duplicates
            else "",
        },
    )


@login_required
# The profile form changes the party's fields as well as the customer's.
@permission_required(("customers.change_customer", "customers.change_party"), raise_exception=True)
@require_http_methods(["GET", "POST"])
def profile_edit(request, number):
    customer = _customer_or_404(number)
    form = ProfileForm(_posted(request), customer=customer)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer=customer, actor=request.user, **form.changes())
        except DuplicateFound as found:
            duplicates = _refused_as_duplicate(form, found)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect(customer)
    return render(
        request,
        "customers/profile_form.html",
        {"customer": customer, "form": form, "duplicates": duplicates},
    )


def _refused_as_duplicate(form, found: DuplicateFound) -> DuplicateFound:
    """Say above the form why the change was refused; the page links the existing customer."""
    form.add_error(None, found.messages)
    return found


@login_required
@permission_required("customers.add_contactmedium", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_add(request, number):
    customer = _customer_or_404(number)
    form = ContactMediumForm(_posted(request))
    duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_medium_add(
                customer=customer, medium=form.medium_input(), actor=request.user
            )
        except DuplicateFound as found:
            duplicates = _refused_as_duplicate(form, found)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Contact added.")
            return redirect(customer)
    return render(
        request,
        "customers/contact_form.html",
        {"customer": customer, "form": form, "adding": True, "duplicates": duplicates},
    )


@login_required
@permission_required("customers.change_contactmedium", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_edit(request, number, contact_id):
    customer = _customer_or_404(number)
    contact = get_object_or_404(ContactMedium, pk=contact_id, party_id=customer.party_id)
    form = ContactMediumForm(_posted(request), initial=ContactMediumForm.initial_from(contact))
    duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_medium_update(
                contact=contact, medium=form.medium_input(), actor=request.user
            )
        except DuplicateFound as found:
            duplicates = _refused_as_duplicate(form, found)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Contact saved.")
            return redirect(customer)
    return render(
        request,
        "customers/contact_form.html",
        {"customer": customer, "form": form, "contact": contact, "duplicates": duplicates},
    )


@login_required
@permission_required("customers.delete_contactmedium", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_remove(request, number, contact_id):
    customer = _customer_or_404(number)
    contact = get_object_or_404(ContactMedium, pk=contact_id, party_id=customer.party_id)
    if request.method == "POST":
        services.contact_medium_remove(contact=contact, actor=request.user)
        messages.success(request, f"Removed {contact.value}.")
        return redirect(customer)
    return render(
        request, "customers/contact_remove.html", {"customer": customer, "contact": contact}
    )


@login_required
@permission_required("customers.change_communicationpreferences", raise_exception=True)
@require_http_methods(["GET", "POST"])
def preferences_edit(request, number):
    customer = _customer_or_404(number)
    current = getattr(customer, "preferences", None) or CommunicationPreferences(customer=customer)
    form = PreferencesForm(_posted(request), instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_update(customer=customer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Communication preferences saved.")
            return redirect(customer)
    return render(request, "customers/preferences_form.html", {"customer": customer, "form": form})


@login_required
# A consent is recorded once per purpose and channel, then changed: both are needed.
@permission_required(("customers.add_consent", "customers.change_consent"), raise_exception=True)
@require_http_methods(["GET", "POST"])
def consent_record(request, number):
    customer = _customer_or_404(number)
    form = ConsentForm(_posted(request), initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record(customer=customer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect(customer)
    return render(request, "customers/consent_form.html", {"customer": customer, "form": form})


@login_required
@permission_required("customers.add_interaction", raise_exception=True)
@require_http_methods(["GET", "POST"])
def interaction_create(request, number):
    customer = _customer_or_404(number)
    form = InteractionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.interaction_record(customer=customer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Interaction recorded.")
            return redirect(customer)
    return render(request, "customers/interaction_form.html", {"customer": customer, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def lifecycle_action(request, number, action):
    """One page per lifecycle action; the template is ``customers/lifecycle/<action>.html``."""
    transition = services.TRANSITIONS.get(action)
    if transition is None:
        raise Http404(f"No lifecycle action {action}.")
    permitted = request.user.has_perm(transition.permission)
    if not permitted and not request.user.has_perm("customers.view_customer"):
        raise PermissionDenied(transition_permission_refusal(transition))
    customer = _customer_or_404(number)
    # What stands in the way, said before anyone fills in the form: the role, or the status.
    refusal = ""
    if not permitted:
        refusal = transition_permission_refusal(transition)
    elif customer.status not in transition.sources:
        refusal = transition_status_refusal(customer, transition)
    form = TransitionForm(_posted(request), transition=transition)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            services.customer_transition(
                customer=customer, action=action, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, f"{transition.label}: done for {customer.number}.")
            return redirect(customer)
    return render(
        request,
        f"customers/lifecycle/{action}.html",
        {
            "customer": customer,
            "form": form,
            "transition": transition,
            "allowed": not refusal,
            "refusal": refusal,
            # Instead of the refused action, the ones this user can take from here.
            "next_steps": [
                t
                for t in allowed_transitions(customer.status)
                if t.action != action and request.user.has_perm(t.permission)
            ]
            if refusal
            else [],
            # What is overdue and what goes on the final bill, shown before the agent submits;
            # not read for someone the action is refused to.
            "debt": (
                services.customer_debt(customer=customer)
                if permitted and action in DEBT_CHECKED_ACTIONS
                else None
            ),
            "reasons_accepting_overdue_debt": reasons_accepting_overdue_debt(action),
        },
        status=403 if not permitted else 200,
    )
