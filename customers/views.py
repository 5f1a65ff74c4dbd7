"""Staff UI: each view parses input, calls one service or selector, and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from customers import selectors, services
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
from customers.models import CommunicationPreferences, ContactMedium, Customer
from customers.panels import panels_for


def _posted(request):
    """The submitted data, or None for a GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _customer_or_404(number: str) -> Customer:
    try:
        return selectors.customer_get(number=number)
    except Customer.DoesNotExist:
        raise Http404(f"No customer {number}.") from None


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_list(request):
    form = CustomerFilterForm(request.GET or None)
    page = None
    if form.is_bound and not form.is_valid():
        rows_error = "Fix the filters below."
    else:
        rows_error = ""
        data = form.cleaned_data if form.is_bound else {}
        try:
            page = selectors.customer_list(
                q=data.get("q", ""),
                status=data.get("status", ""),
                segment=data.get("segment", ""),
                partner_id=data["partner"].pk if data.get("partner") else None,
                account_manager_id=data["manager"].pk if data.get("manager") else None,
                sort=data.get("sort") or "newest",
                after=data.get("after", ""),
                before=data.get("before", ""),
            )
        except ValidationError as error:
            rows_error = " ".join(error.messages)
    query = request.GET.copy()
    for key in ("after", "before"):
        query.pop(key, None)
    return render(
        request,
        "customers/list.html",
        {"form": form, "page": page, "rows_error": rows_error, "query": query.urlencode()},
    )


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, number):
    customer = _customer_or_404(number)
    context = {
        "customer": customer,
        **selectors.customer_360(customer=customer),
        "extra_panels": panels_for(customer),
    }
    context["allowed_transitions"] = [
        t for t in context["allowed_transitions"] if request.user.has_perm(t.permission)
    ]
    return render(request, "customers/detail.html", context)


@login_required
@permission_required("customers.add_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def lead_create(request):
    form = LeadForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                party=form.party_input(),
                actor=request.user,
                segment=form.cleaned_data["segment"],
                lead_source=form.cleaned_data["lead_source"],
                language=form.cleaned_data["language"],
                account_manager=request.user,
            )
        except ValidationError as error:
            apply_service_error(form, error, {"value": "email"})
        else:
            messages.success(request, f"Lead {customer.number} created.")
            return redirect(customer)
    return render(request, "customers/lead_form.html", {"form": form})


@login_required
@permission_required("customers.change_customer", raise_exception=True)
@require_http_methods(["GET", "POST"])
def profile_edit(request, number):
    customer = _customer_or_404(number)
    form = ProfileForm(_posted(request), customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer=customer, actor=request.user, **form.changes())
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect(customer)
    return render(request, "customers/profile_form.html", {"customer": customer, "form": form})


@login_required
@permission_required("customers.add_contactmedium", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_add(request, number):
    customer = _customer_or_404(number)
    form = ContactMediumForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_medium_add(
                customer=customer, medium=form.medium_input(), actor=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Contact added.")
            return redirect(customer)
    return render(
        request, "customers/contact_form.html", {"customer": customer, "form": form, "adding": True}
    )


@login_required
@permission_required("customers.change_contactmedium", raise_exception=True)
@require_http_methods(["GET", "POST"])
def contact_edit(request, number, contact_id):
    customer = _customer_or_404(number)
    contact = get_object_or_404(ContactMedium, pk=contact_id, party_id=customer.party_id)
    form = ContactMediumForm(_posted(request), initial=ContactMediumForm.initial_from(contact))
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_medium_update(
                contact=contact, medium=form.medium_input(), actor=request.user
            )
        except ValidationError as error:
            apply_service_error(form, error)
        else:
            messages.success(request, "Contact saved.")
            return redirect(customer)
    return render(
        request,
        "customers/contact_form.html",
        {"customer": customer, "form": form, "contact": contact},
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
@permission_required("customers.change_consent", raise_exception=True)
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
    if not request.user.has_perm(transition.permission):
        raise PermissionDenied(f"Your role may not {transition.label.lower()} customers.")
    customer = _customer_or_404(number)
    form = TransitionForm(_posted(request), transition=transition)
    if request.method == "POST" and form.is_valid():
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
            "allowed": customer.status in transition.sources,
        },
    )
